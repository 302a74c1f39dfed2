using System.Globalization;
using System.Runtime.InteropServices;
using Containers.Linux.Mounts;

namespace Containers.Linux.Runtime;

/// <summary>
/// Id-mapped bind mounts (config.json's <c>mounts[].uidMappings</c>/<c>gidMappings</c>, runtime-spec 1.2's
/// <c>idmap</c>/<c>ridmap</c>): a file owned by a mapping's containerID on the source filesystem appears owned by
/// its hostID, as runc 1.2 and crun do. The spawner makes them before the clone: a user namespace with the mappings
/// (held by a child that only exists until its maps are written and its namespace file opened), a detached copy of
/// the source (open_tree with OPEN_TREE_CLONE, AT_RECURSIVE for rbind), and mount_setattr(MOUNT_ATTR_IDMAP) on it —
/// which the kernel allows only while the mount is detached. The child moves it onto the destination with
/// move_mount(2) and applies the other flags, as for a tmpcopyup tmpfs.
/// </summary>
internal sealed unsafe class IdMappedMounts : IDisposable
{
    private readonly List<SafeFdHandle> _mounts = [];

    private IdMappedMounts()
    {
    }

    /// <summary>Makes every id-mapped mount of <paramref name="plan"/> and hands the fds to <paramref name="program"/>.</summary>
    /// <exception cref="LinuxErrorException">The user namespace or the mount could not be made, or the source filesystem cannot be id-mapped.</exception>
    public static IdMappedMounts Prepare(SpawnPlan plan, ChildProgram* program)
    {
        IdMappedMounts result = new();
        Dictionary<string, SafeFdHandle> namespaces = new(StringComparer.Ordinal);
        try
        {
            for (int i = 0; i < program->MountCount; i++)
            {
                ChildMount* m = program->Mounts + i;
                if (m->Kind != 3 || m->IsBind == 0)
                {
                    continue;
                }

                string jsonPath = $"mounts[{i}]";
                MountRequest request = plan.Mounts[i];
                MountOptions options = MountOptions.Parse(request.Options, jsonPath + ".options");
                (IReadOnlyList<IdMapping> uids, IReadOnlyList<IdMapping> gids) = MappingsOf(plan, request, jsonPath);
                string key = ContainerSpawner.MapText(uids) + "|" + ContainerSpawner.MapText(gids);
                if (!namespaces.TryGetValue(key, out SafeFdHandle? userNamespace))
                {
                    userNamespace = CreateUserNamespace(program, uids, gids, jsonPath);
                    namespaces.Add(key, userNamespace);
                }

                SafeFdHandle mount = new(Interop.ThrowOnError(Interop.OpenTreeClone(request.Source!, (options.Flags & Interop.MS_REC) != 0), "open_tree", $"{jsonPath}.source {request.Source}"));
                result._mounts.Add(mount);
                Interop.MountAttr attr = default;
                attr.AttrSet = Interop.MOUNT_ATTR_IDMAP;
                attr.UsernsFd = (ulong)userNamespace.Fd;
                if (Interop.MountSetattr(mount.Fd, options.RecursiveIdMap, attr) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new LinuxErrorException("mount_setattr(MOUNT_ATTR_IDMAP)", errno, errno == Interop.EINVAL
                        ? $"{jsonPath}: the filesystem of {request.Source} does not support id-mapped mounts"
                        : jsonPath);
                }

                m->MountFd = mount.Fd;
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
        finally
        {
            // The mounts keep their user namespace alive.
            foreach (SafeFdHandle userNamespace in namespaces.Values)
            {
                userNamespace.Dispose();
            }
        }
    }

    /// <summary>
    /// The mount's own mappings, or, for <c>idmap</c>/<c>ridmap</c> without them (runtime-spec 1.2), the container's
    /// user namespace mappings. <see cref="ChildProgramBuilder"/> has checked that one of the two exists.
    /// </summary>
    internal static (IReadOnlyList<IdMapping> Uids, IReadOnlyList<IdMapping> Gids) MappingsOf(SpawnPlan plan, MountRequest request, string jsonPath)
    {
        bool own = request.UidMappings is { Count: > 0 } || request.GidMappings is { Count: > 0 };
        if (own)
        {
            return request.UidMappings is { Count: > 0 } uids && request.GidMappings is { Count: > 0 } gids
                ? (uids, gids)
                : throw new InvalidSpecException(jsonPath + (request.UidMappings is { Count: > 0 } ? ".gidMappings" : ".uidMappings"), "an id-mapped mount needs both uidMappings and gidMappings");
        }

        return (plan.Namespaces & ContainerNamespaces.User) != 0 && plan.UidMappings.Count > 0 && plan.GidMappings.Count > 0
            ? (plan.UidMappings, plan.GidMappings)
            : throw new InvalidSpecException(jsonPath + ".uidMappings", "idmap without uidMappings and gidMappings takes the container's user namespace mappings, and the container has no new user namespace");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafeFdHandle mount in _mounts)
        {
            mount.Dispose();
        }

        _mounts.Clear();
    }

    private static SafeFdHandle CreateUserNamespace(ChildProgram* program, IReadOnlyList<IdMapping> uids, IReadOnlyList<IdMapping> gids, string jsonPath)
    {
        (SafeFdHandle read, SafeFdHandle write) = Interop.CreatePipe();
        using (read)
        using (write)
        {
            int pid = UserNamespaceHolder.Start(program, uids, gids, read.Fd, jsonPath);
            try
            {
                return new SafeFdHandle(Interop.ThrowOnError(Interop.Open($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/user", Interop.O_RDONLY | Interop.O_CLOEXEC, 0), "open", jsonPath + ": the id mapping's user namespace"));
            }
            finally
            {
                // Not reaped yet, so the pid is still this child's. The fd keeps the namespace.
                UserNamespaceHolder.Kill(pid);
            }
        }
    }
}
