using System.Globalization;
using Containers.Oci.Runtime;

namespace Containers.Oci;

public static partial class SpecOptions
{
    /// <summary>
    /// Sets the user as containerd's <c>WithUser</c> does: <c>uid</c>, <c>name</c>, <c>uid:gid</c>,
    /// <c>name:group</c> (and mixes). Names are looked up in the rootfs's <c>/etc/passwd</c> and
    /// <c>/etc/group</c>; a numeric uid takes its primary gid from <c>/etc/passwd</c> when listed there,
    /// else 0. Resets the supplementary groups to the primary gid.
    /// </summary>
    /// <param name="user">The user string, as in an image config's <c>User</c>.</param>
    /// <exception cref="InvalidSpecException">The string is malformed (<c>process.user</c>).</exception>
    /// <exception cref="NotFoundException">A named user or group is not in the rootfs.</exception>
    public static SpecOption WithUser(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return async (context, spec, cancellationToken) =>
        {
            ProcessUser processUser = Process(spec).User ??= new ProcessUser { Uid = 0, Gid = 0 };
            processUser.AdditionalGids = null;
            string[] parts = user.Split(':');
            if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            {
                throw new InvalidSpecException("process.user", $"invalid USER value \"{user}\" (uid, name, uid:gid or name:group)");
            }

            bool numericUser = UserDatabase.TryParseId(parts[0], out uint uid);
            if (!numericUser && parts[0].All(char.IsAsciiDigit))
            {
                throw new InvalidSpecException("process.user", $"uid \"{parts[0]}\" is out of range (at most {int.MaxValue})");
            }

            uint gid = 0;
            if (parts.Length == 1)
            {
                if (numericUser)
                {
                    // containerd's WithUserID: the primary group from /etc/passwd when the uid is listed.
                    UserDatabase.PasswdEntry? entry = (await ReadPasswdAsync(context, required: false, cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => u.Uid == uid);
                    gid = entry?.Gid ?? 0;
                }
                else
                {
                    UserDatabase.PasswdEntry entry = (await ReadPasswdAsync(context, required: true, cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => u.Name == parts[0])
                        ?? throw new NotFoundException("user", parts[0]);
                    (uid, gid) = (entry.Uid, entry.Gid);
                }
            }
            else
            {
                if (!numericUser)
                {
                    UserDatabase.PasswdEntry entry = (await ReadPasswdAsync(context, required: true, cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => u.Name == parts[0])
                        ?? throw new NotFoundException("user", parts[0]);
                    uid = entry.Uid;
                }

                if (!UserDatabase.TryParseId(parts[1], out gid))
                {
                    if (parts[1].All(char.IsAsciiDigit))
                    {
                        throw new InvalidSpecException("process.user", $"gid \"{parts[1]}\" is out of range (at most {int.MaxValue})");
                    }

                    UserDatabase.GroupEntry group = (await ReadGroupAsync(context, required: true, cancellationToken).ConfigureAwait(false)).FirstOrDefault(g => g.Name == parts[1])
                        ?? throw new NotFoundException("group", parts[1]);
                    gid = group.Gid;
                }
            }

            processUser.Uid = uid;
            processUser.Gid = gid;
            processUser.AdditionalGids = [gid];
        };
    }

    /// <summary>
    /// Adds the supplementary groups of a user from the rootfs's <c>/etc/group</c> (containerd's
    /// <c>WithAdditionalGIDs</c>): every group that lists the user as a member, except one named like
    /// the user; the primary gid is always first in the list. Missing files add nothing.
    /// </summary>
    /// <param name="user">A user name, or a uid that is looked up in <c>/etc/passwd</c> for its name.</param>
    public static SpecOption WithAdditionalGids(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return async (context, spec, cancellationToken) =>
        {
            ProcessUser processUser = Process(spec).User ??= new ProcessUser { Uid = 0, Gid = 0 };
            string? name = user;
            if (UserDatabase.TryParseId(user, out uint uid))
            {
                name = (await ReadPasswdAsync(context, required: false, cancellationToken).ConfigureAwait(false)).FirstOrDefault(u => u.Uid == uid)?.Name;
            }

            var gids = new List<uint>(processUser.AdditionalGids ?? []);
            if (name is not null)
            {
                foreach (UserDatabase.GroupEntry group in await ReadGroupAsync(context, required: false, cancellationToken).ConfigureAwait(false))
                {
                    if (group.Name != name && group.Members.Contains(name, StringComparer.Ordinal) && !gids.Contains(group.Gid))
                    {
                        gids.Add(group.Gid);
                    }
                }
            }

            // containerd's ensureAdditionalGids (CVE-2023-25173): the primary gid is always a member.
            if (!gids.Contains(processUser.Gid))
            {
                gids.Insert(0, processUser.Gid);
            }

            processUser.AdditionalGids = gids;
        };
    }

    private static async ValueTask<IReadOnlyList<UserDatabase.PasswdEntry>> ReadPasswdAsync(SpecContext context, bool required, CancellationToken cancellationToken) =>
        [.. UserDatabase.ParsePasswd(await ReadRootfsFileAsync(context, "/etc/passwd", required, cancellationToken).ConfigureAwait(false))];

    private static async ValueTask<IReadOnlyList<UserDatabase.GroupEntry>> ReadGroupAsync(SpecContext context, bool required, CancellationToken cancellationToken) =>
        [.. UserDatabase.ParseGroup(await ReadRootfsFileAsync(context, "/etc/group", required, cancellationToken).ConfigureAwait(false))];

    private static async ValueTask<string?> ReadRootfsFileAsync(SpecContext context, string path, bool required, CancellationToken cancellationToken)
    {
        if (context.FileReader is { } reader)
        {
            return await reader(path, cancellationToken).ConfigureAwait(false);
        }

        if (context.RootfsPath is null)
        {
            return required
                ? throw new InvalidSpecException("process.user", $"looking up a name needs the rootfs ({path}); give SpecContext.RootfsPath or use numeric ids")
                : null;
        }

        return await RootfsFiles.ReadTextAsync(context.RootfsPath, path, cancellationToken).ConfigureAwait(false);
    }
}
