using System.Globalization;
using Containers.Diff;
using Containers.Mounts;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Mounting;

/// <summary>
/// Performs the mounts a snapshotter hands out (bind and overlay) at a target directory, and undoes them.
/// The calling process must have CAP_SYS_ADMIN in the mount namespace it mounts in.
/// </summary>
/// <remarks>
/// <para>
/// mount(2) takes its options in one page (4096 bytes), which an overlay with a hundred lower
/// directories under a long root exceeds. containerd shortens the lower paths by making them relative
/// and mounting from a forked child that chdir()s to their common parent. Here the host process must not
/// fork or change its (process-wide) working directory, so a long overlay is mounted in one of two ways:
/// </para>
/// <list type="number">
/// <item>the new mount API: <c>fsopen("overlay")</c> with one <c>fsconfig("lowerdir+", dir)</c> per layer
/// (Linux 6.8 and later), which has no overall length limit — each call carries one path;</item>
/// <item>on older kernels, each lower directory is rewritten as <c>/proc/self/fd/N/&lt;rest&gt;</c>, where N is an
/// O_PATH descriptor of the layers' common parent held open during the mount: the kernel resolves the
/// magic link like a working directory, so every layer costs its short relative path plus ~18 bytes,
/// as containerd's chdir trick does, without touching the working directory.</item>
/// </list>
/// </remarks>
public static class MountHelper
{
    /// <summary>The limit of mount(2)'s data argument: one page, including the terminating NUL.</summary>
    internal const int MountDataLimit = 4095;

    /// <summary>Forces the strategy for long overlay options, for tests of each path.</summary>
    internal static LongOverlayStrategy? ForcedStrategy { get; set; }

    /// <summary>Performs the mounts at <paramref name="target"/>, in order.</summary>
    /// <param name="mounts">The mounts, as <see cref="ISnapshotter.PrepareAsync"/> returns them.</param>
    /// <param name="target">An existing directory.</param>
    /// <exception cref="UnsupportedException">A mount has a type other than bind and overlay.</exception>
    /// <exception cref="IOException">The kernel refused a mount; the mounts done before it are undone.</exception>
    public static void MountAll(IReadOnlyList<Mount> mounts, string target) => MountAll(mounts, target, null);

    /// <summary>
    /// Performs the mounts at <paramref name="target"/>, in order, id-mapping the layers of a mount with containerd's
    /// <c>uidmap=</c>/<c>gidmap=</c> options (an <see cref="OverlaySnapshotter"/> snapshot with mapping labels) through
    /// user namespaces from <paramref name="userNamespaces"/>.
    /// </summary>
    /// <param name="mounts">The mounts, as <see cref="ISnapshotter.PrepareAsync"/> returns them.</param>
    /// <param name="target">An existing directory.</param>
    /// <param name="userNamespaces">Gives the user namespaces for id-mapped layers; null refuses them.</param>
    /// <exception cref="UnsupportedException">A mount has a type other than bind and overlay, or asks for id-mapped
    /// layers without a provider or on a filesystem that cannot be id-mapped here.</exception>
    /// <exception cref="InvalidSpecException">A <c>uidmap=</c>/<c>gidmap=</c> option is malformed, or only one of them is given.</exception>
    /// <exception cref="IOException">The kernel refused a mount; the mounts done before it are undone.</exception>
    public static void MountAll(IReadOnlyList<Mount> mounts, string target, IUserNamespaceProvider? userNamespaces)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        ArgumentException.ThrowIfNullOrEmpty(target);
        int done = 0;
        try
        {
            foreach (Mount mount in mounts)
            {
                string at = mount.Target is null ? target : Path.Combine(target, mount.Target.TrimStart('/'));
                MountOne(mount, at, userNamespaces);
                done++;
            }
        }
        catch when (done > 0)
        {
            Unmount(target);
            throw;
        }
    }

    private const int EBUSY = 16;

    /// <summary>
    /// overlayfs's <c>volatile</c> option (Linux 5.10): the overlay never syncs its upper file system, which a plain
    /// overlay's unmount does for the whole upper file system. For a root filesystem deleted after its one task; the
    /// kernel refuses to mount such an upper directory again (its work directory keeps an <c>incompat/volatile</c> mark).
    /// A kernel that does not know the option gets the overlay without it.
    /// </summary>
    public const string VolatileOption = "volatile";

    /// <summary>
    /// The mounts with <see cref="VolatileOption"/> added to each overlay that has an upper directory (a read-only
    /// overlay has nothing to sync); other mounts as they are.
    /// </summary>
    /// <param name="mounts">The mounts, as <see cref="ISnapshotter.PrepareAsync"/> returns them.</param>
    public static IReadOnlyList<Mount> WithVolatileUpper(IReadOnlyList<Mount> mounts)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        return [.. mounts.Select(m => m.Type == "overlay" && !m.Options.Contains(VolatileOption) && m.Options.Any(o => o.StartsWith("upperdir=", StringComparison.Ordinal))
            ? m with { Options = [.. m.Options, VolatileOption] }
            : m)];
    }

    /// <summary>Unmounts everything stacked at <paramref name="target"/>; a target with no mount is left as is.</summary>
    /// <param name="target">The directory passed to <see cref="MountAll(IReadOnlyList{Mount}, string)"/>.</param>
    /// <exception cref="IOException">The kernel refused to unmount (for example, busy).</exception>
    public static void Unmount(string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        // Stacked mounts (several mounts at one target) come off one by one; EINVAL means nothing is left.
        int busy = 0;
        for (int i = 0; i < 1024; i++)
        {
            if (Interop.Umount2(target, Interop.UMOUNT_NOFOLLOW) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Interop.EINVAL or Interop.ENOENT)
                {
                    return;
                }

                // EBUSY can be transient: a process spawned at that moment by any thread of this process
                // (posix_spawn's clone copies the fd table) holds a copy of a descriptor opened under the
                // mount until it execs. containerd retries the same way (50 times, 50 ms apart).
                if (errno == EBUSY && ++busy < 50)
                {
                    Thread.Sleep(20);
                    i--;
                    continue;
                }

                throw new ErrnoException(errno, "umount", target);
            }
        }
    }

    private static void MountOne(Mount mount, string target, IUserNamespaceProvider? userNamespaces)
    {
        ulong flags = 0;
        var data = new List<string>();
        bool readOnly = false;
        string? uidMap = null;
        string? gidMap = null;
        foreach (string option in mount.Options)
        {
            if (option.StartsWith("uidmap=", StringComparison.Ordinal))
            {
                uidMap = option["uidmap=".Length..];
                continue;
            }

            if (option.StartsWith("gidmap=", StringComparison.Ordinal))
            {
                gidMap = option["gidmap=".Length..];
                continue;
            }

            switch (option)
            {
                case "ro": readOnly = true; break;
                case "rw": readOnly = false; break;
                case "bind": flags |= Interop.MS_BIND; break;
                case "rbind": flags |= Interop.MS_BIND | Interop.MS_REC; break;
                default: data.Add(option); break;
            }
        }

        if (uidMap is not null || gidMap is not null)
        {
            MountIdMapped(mount, target, readOnly, data, uidMap, gidMap, userNamespaces);
            return;
        }

        switch (mount.Type)
        {
            case "bind":
                Check(Interop.Mount(mount.Source, target, null, flags | Interop.MS_BIND, null), "mount bind", target);
                if (readOnly)
                {
                    // A bind mount ignores MS_RDONLY on creation; read-only takes a remount.
                    Check(Interop.Mount(string.Empty, target, null, Interop.MS_REMOUNT | Interop.MS_BIND | Interop.MS_RDONLY | (flags & Interop.MS_REC), null), "remount ro", target);
                }

                break;
            case "overlay":
                MountOverlay(mount.Source, target, readOnly, data);
                break;
            default:
                throw new UnsupportedException($"mount type \"{mount.Type}\" is not supported by {nameof(MountHelper)} (bind and overlay are)");
        }
    }

    /// <summary>
    /// A mount whose layers appear with mapped owners, as containerd 2.0 mounts them: an overlay over id-mapped
    /// copies of its lower directories (the upper directory is not mapped: the container's ids write it), or a
    /// bind mount made as an id-mapped detached clone moved onto the target.
    /// </summary>
    private static void MountIdMapped(Mount mount, string target, bool readOnly, List<string> data, string? uidMap, string? gidMap, IUserNamespaceProvider? userNamespaces)
    {
        if (uidMap is null || gidMap is null)
        {
            throw new InvalidSpecException(uidMap is null ? "options.uidmap" : "options.gidmap", "an id-mapped mount needs both uidmap= and gidmap=");
        }

        IdMapRange[] uids = IdMapRangeText.Parse(uidMap, "options.uidmap");
        IdMapRange[] gids = IdMapRangeText.Parse(gidMap, "options.gidmap");
        if (userNamespaces is null)
        {
            throw new UnsupportedException($"the {mount.Type} mount at \"{target}\" asks for id-mapped layers (uidmap={uidMap}); pass an {nameof(IUserNamespaceProvider)} to {nameof(MountHelper)}.{nameof(MountAll)}");
        }

        switch (mount.Type)
        {
            case "bind":
                using (SafeFileHandle userNamespace = userNamespaces.OpenUserNamespace(uids, gids))
                using (SafeFileHandle tree = IdMappedLayers.MapTree(mount.Source, userNamespace, readOnly ? Interop.MOUNT_ATTR_RDONLY : 0))
                {
                    Interop.MoveMount(tree, target);
                }

                break;
            case "overlay":
                int index = data.FindIndex(o => o.StartsWith("lowerdir=", StringComparison.Ordinal));
                if (index < 0)
                {
                    throw new InvalidSpecException("options.lowerdir", "an id-mapped overlay needs lower directories");
                }

                using (IdMappedLayers layers = IdMappedLayers.Create(data[index]["lowerdir=".Length..].Split(':'), uids, gids, userNamespaces))
                {
                    List<string> mapped = [.. data];
                    mapped[index] = "lowerdir=" + string.Join(':', layers.Directories);
                    MountOverlay(mount.Source, target, readOnly, mapped);
                }

                break;
            default:
                throw new UnsupportedException($"mount type \"{mount.Type}\" cannot be id-mapped by {nameof(MountHelper)} (bind and overlay can)");
        }
    }

    private static void MountOverlay(string source, string target, bool readOnly, List<string> options)
    {
        int volatileAt = options.IndexOf(VolatileOption);
        if (volatileAt >= 0)
        {
            try
            {
                MountOverlayWith(source, target, readOnly, options);
                return;
            }
            catch (ErrnoException ex) when (ex.Errno == Interop.EINVAL)
            {
                // Kernels before 5.10 do not know the option: the same overlay, synced at its unmount as any other.
                options = [.. options];
                options.RemoveAt(volatileAt);
            }
        }

        MountOverlayWith(source, target, readOnly, options);
    }

    private static void MountOverlayWith(string source, string target, bool readOnly, List<string> options)
    {
        string data = string.Join(',', options);
        LongOverlayStrategy? forced = ForcedStrategy;
        if (forced is null && data.Length <= MountDataLimit)
        {
            Check(Interop.Mount(source, target, "overlay", readOnly ? Interop.MS_RDONLY : 0, data), "mount overlay", target);
            return;
        }

        if (forced is null or LongOverlayStrategy.LowerDirPlus && TryMountOverlayNewApi(target, readOnly, options))
        {
            return;
        }

        MountOverlayThroughDescriptor(source, target, readOnly, options);
    }

    /// <summary>fsopen/fsconfig with one <c>lowerdir+</c> per layer; false when the kernel lacks <c>lowerdir+</c>.</summary>
    private static bool TryMountOverlayNewApi(string target, bool readOnly, List<string> options)
    {
        using SafeFileHandle context = Interop.FsOpen("overlay");
        foreach (string option in options)
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                CheckErrno(Interop.FsConfig(context, Interop.FSCONFIG_SET_FLAG, option, null), $"fsconfig {option}", target);
                continue;
            }

            string key = option[..eq];
            string value = option[(eq + 1)..];
            if (key == "lowerdir")
            {
                foreach (string layer in value.Split(':'))
                {
                    int errno = Interop.FsConfig(context, Interop.FSCONFIG_SET_STRING, "lowerdir+", layer);
                    if (errno == Interop.EINVAL && layer == value.Split(':')[0])
                    {
                        // Before Linux 6.8 overlay has no lowerdir+; the first call tells.
                        return false;
                    }

                    CheckErrno(errno, "fsconfig lowerdir+", layer);
                }
            }
            else
            {
                CheckErrno(Interop.FsConfig(context, Interop.FSCONFIG_SET_STRING, key, value), $"fsconfig {key}", value);
            }
        }

        CheckErrno(Interop.FsConfig(context, Interop.FSCONFIG_CMD_CREATE, null, null), "fsconfig create", target);
        using SafeFileHandle mountFd = Interop.FsMount(context, readOnly ? Interop.MOUNT_ATTR_RDONLY : 0);
        Interop.MoveMount(mountFd, target);
        return true;
    }

    /// <summary>mount(2) with each directory rewritten relative to an O_PATH fd of the common parent.</summary>
    private static void MountOverlayThroughDescriptor(string source, string target, bool readOnly, List<string> options)
    {
        var paths = new List<string>();
        foreach (string option in options)
        {
            if (TrySplitDirectoryOption(option, out _, out string value))
            {
                paths.AddRange(value.Split(':'));
            }
        }

        string common = CommonDirectory(paths);
        using SafeFileHandle parent = Interop.OpenAt(Interop.AT_FDCWD, common, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
        if (parent.IsInvalid)
        {
            Interop.ThrowLastError("open", common);
        }

        string prefix = "/proc/self/fd/" + parent.DangerousGetHandle().ToString(CultureInfo.InvariantCulture) + "/";
        var rewritten = new List<string>(options.Count);
        foreach (string option in options)
        {
            if (TrySplitDirectoryOption(option, out string key, out string value))
            {
                rewritten.Add(key + "=" + string.Join(':', value.Split(':').Select(p => prefix + Path.GetRelativePath(common, p))));
            }
            else
            {
                rewritten.Add(option);
            }
        }

        string data = string.Join(',', rewritten);
        if (data.Length > MountDataLimit)
        {
            throw new ErrnoException(Interop.EINVAL, $"mount overlay: {paths.Count} directories need {data.Length} bytes of options even when shortened (limit {MountDataLimit})", target);
        }

        Check(Interop.Mount(source, target, "overlay", readOnly ? Interop.MS_RDONLY : 0, data), "mount overlay", target);
    }

    private static bool TrySplitDirectoryOption(string option, out string key, out string value)
    {
        int eq = option.IndexOf('=', StringComparison.Ordinal);
        key = eq < 0 ? option : option[..eq];
        value = eq < 0 ? string.Empty : option[(eq + 1)..];
        return key is "lowerdir" or "upperdir" or "workdir";
    }

    private static string CommonDirectory(List<string> paths)
    {
        string common = Path.GetDirectoryName(paths[0]) ?? "/";
        foreach (string path in paths)
        {
            while (!path.StartsWith(common.TrimEnd('/') + "/", StringComparison.Ordinal) && common != "/")
            {
                common = Path.GetDirectoryName(common) ?? "/";
            }
        }

        return common;
    }

    private static void CheckErrno(int errno, string operation, string path)
    {
        if (errno != 0)
        {
            throw new ErrnoException(errno, operation, path);
        }
    }

    private static void Check(int result, string operation, string path)
    {
        if (result != 0)
        {
            Interop.ThrowLastError(operation, path);
        }
    }
}
