using System.Globalization;
using Containers.Linux.Mounts;

namespace Containers.Linux.Runtime;

/// <summary>
/// runc's <c>tmpcopyup</c>: a tmpfs mount that starts with a copy of the directory it covers (podman asks for it on
/// /run, /tmp and /var/tmp of a --read-only container, and for --tmpfs). The spawner does the copy before the clone,
/// where managed code may run: it makes the tmpfs as a detached mount (fsopen/fsconfig/fsmount, attached nowhere, so
/// the host never sees it), copies the destination's tree from what lies underneath it — the rootfs, or an earlier
/// bind mount's source, or an earlier tmpcopyup tmpfs — into it (regular files, directories and
/// symlinks with their modes and owners, and the root directory's mode, as runc's CopyDirectory and chmod do), and
/// leaves the fd for the child, which moves the mount onto the destination with move_mount(2).
/// </summary>
internal sealed unsafe class TmpfsCopyUp : IDisposable
{
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_BASIC = 0x7FF;
    private readonly List<SafeFdHandle> _mounts = [];

    private TmpfsCopyUp()
    {
    }

    /// <summary>Makes and fills the tmpfs of every tmpcopyup mount of <paramref name="plan"/>, and hands the fds to <paramref name="program"/>.</summary>
    /// <exception cref="UnsupportedException">The destination lies below an earlier mount that is not a bind or tmpfs mount, or holds a file type that is not copied.</exception>
    /// <exception cref="LinuxErrorException">A mount or copy call failed.</exception>
    public static TmpfsCopyUp Prepare(SpawnPlan plan, ChildProgram* program)
    {
        TmpfsCopyUp copyUp = new();
        try
        {
            for (int i = 0; i < program->MountCount; i++)
            {
                ChildMount* m = program->Mounts + i;
                if (m->Kind != 3 || m->IsBind != 0)
                {
                    // Not a tmpcopyup tmpfs (an id-mapped bind mount is made by IdMappedMounts).
                    continue;
                }

                string jsonPath = $"mounts[{i}]";
                MountRequest request = plan.Mounts[i];
                string? source = SourceOf(plan, program, i, jsonPath);
                SafeFdHandle mount = MakeTmpfs(request.Source ?? "tmpfs", RootOwner(plan) + MountOptions.Parse(request.Options, jsonPath + ".options").Data, jsonPath);
                copyUp._mounts.Add(mount);
                if (source is not null && Directory.Exists(source) && new FileInfo(source).LinkTarget is null)
                {
                    string target = "/proc/self/fd/" + mount.Fd.ToString(CultureInfo.InvariantCulture);
                    CopyTree(source, target);

                    // Only the mode, as runc's chmod after the copy: the root keeps the tmpfs's owner (the container's
                    // root, uid=/gid= in a user namespace), whoever owns the directory it covers.
                    File.SetUnixFileMode(target, (UnixFileMode)(StatOf(source).Mode & 0xFFF));
                }

                m->MountFd = mount.Fd;
            }

            return copyUp;
        }
        catch
        {
            copyUp.Dispose();
            throw;
        }
    }

    /// <summary>Closes the detached mounts (the child holds its own copies of the fds).</summary>
    public void Dispose()
    {
        foreach (SafeFdHandle mount in _mounts)
        {
            mount.Dispose();
        }

        _mounts.Clear();
    }

    /// <summary>
    /// runc copies what the container sees at the destination when it mounts. The spawner reads it from where it
    /// lies: the rootfs, unless an earlier mount covers the destination or one of its parents; then from the last
    /// such mount (the one on top): a bind mount's source below it, an earlier tmpcopyup tmpfs's filled copy through
    /// its fd, nothing for a plain tmpfs (it starts empty; <see langword="null"/>). Other filesystems are refused.
    /// </summary>
    /// <exception cref="UnsupportedException">The destination lies below an earlier mount of another filesystem.</exception>
    private static string? SourceOf(SpawnPlan plan, ChildProgram* program, int index, string jsonPath)
    {
        string destination = Normalize(plan.Mounts[index].Destination);
        for (int j = index - 1; j >= 0; j--)
        {
            MountRequest earlier = plan.Mounts[j];
            string covering = Normalize(earlier.Destination);
            string prefix = covering == "/" ? "/" : covering + "/";
            if (earlier.Kind != MountRequestKind.Mount || (destination != covering && !destination.StartsWith(prefix, StringComparison.Ordinal)))
            {
                continue;
            }

            string below = destination == covering ? string.Empty : destination[prefix.Length..];
            ChildMount* m = program->Mounts + j;
            if (m->IsBind != 0)
            {
                return Below(earlier.Source!, below, jsonPath);
            }

            if (m->Kind == 3)
            {
                return Below("/proc/self/fd/" + m->MountFd.ToString(CultureInfo.InvariantCulture), below, jsonPath);
            }

            if (earlier.Type == "tmpfs")
            {
                return null;
            }

            throw new UnsupportedException($"{jsonPath}: tmpcopyup below an earlier {earlier.Type} mount (mounts[{j}] at {earlier.Destination}) is not supported by runcs");
        }

        return Below(plan.RootfsPath ?? "/", destination.TrimStart('/'), jsonPath);
    }

    /// <summary>
    /// <paramref name="relative"/> under <paramref name="anchor"/>, read by the spawner in the host's root: a symlink
    /// on the way would be followed there, not in the container's root, so it is refused.
    /// </summary>
    /// <exception cref="UnsupportedException">A directory on the way is a symlink.</exception>
    private static string Below(string anchor, string relative, string jsonPath)
    {
        string path = anchor;
        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length - 1; i++)
        {
            path = Path.Join(path, parts[i]);
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new UnsupportedException($"{jsonPath}: tmpcopyup below {path}, a symlink, is not supported by runcs");
            }
        }

        return parts.Length == 0 ? anchor : Path.Join(path, parts[^1]);
    }

    /// <summary>
    /// runc mounts the tmpfs inside the container's user namespace, so its root belongs to the namespace's root; made
    /// outside it, the same owner is asked for with uid=/gid= (options given in the config come later and win).
    /// </summary>
    private static string RootOwner(SpawnPlan plan)
    {
        if ((plan.Namespaces & ContainerNamespaces.User) == 0)
        {
            return string.Empty;
        }

        IdMapping? uid = plan.UidMappings.Where(m => m.ContainerId == 0).Select(m => (IdMapping?)m).FirstOrDefault();
        IdMapping? gid = plan.GidMappings.Where(m => m.ContainerId == 0).Select(m => (IdMapping?)m).FirstOrDefault();
        return (uid is { } u ? string.Create(CultureInfo.InvariantCulture, $"uid={u.HostId},") : string.Empty)
            + (gid is { } g ? string.Create(CultureInfo.InvariantCulture, $"gid={g.HostId},") : string.Empty);
    }

    private static string Normalize(string destination) => "/" + string.Join('/', destination.Split('/', StringSplitOptions.RemoveEmptyEntries));

    private static SafeFdHandle MakeTmpfs(string source, string? data, string jsonPath)
    {
        using SafeFdHandle context = new(Interop.ThrowOnError(Interop.Fsopen("tmpfs"), "fsopen", jsonPath));
        Interop.ThrowOnError(Interop.Fsconfig(context.Fd, "source", source), "fsconfig", jsonPath + ".source");
        foreach (string option in (data ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = option.IndexOf('=', StringComparison.Ordinal);
            Interop.ThrowOnError(Interop.Fsconfig(context.Fd, eq < 0 ? option : option[..eq], eq < 0 ? null : option[(eq + 1)..]), "fsconfig", $"{jsonPath}.options: {option}");
        }

        Interop.ThrowOnError(Interop.FsconfigCreate(context.Fd), "fsconfig", jsonPath);
        return new SafeFdHandle(Interop.ThrowOnError(Interop.Fsmount(context.Fd), "fsmount", jsonPath));
    }

    private static void CopyTree(string source, string target)
    {
        foreach (FileSystemInfo entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            string destination = Path.Join(target, entry.Name);
            if (entry.LinkTarget is string link)
            {
                File.CreateSymbolicLink(destination, link);
            }
            else if (entry is DirectoryInfo)
            {
                Directory.CreateDirectory(destination);
                CopyTree(entry.FullName, destination);
            }
            else if ((entry.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) == 0 && File.Exists(entry.FullName) && IsRegular(entry.FullName))
            {
                // Contents only, new times, as runc's CopyFile (File.Copy would keep the mtime).
                using FileStream from = new(entry.FullName, FileMode.Open, FileAccess.Read);
                using FileStream to = new(destination, FileMode.CreateNew, FileAccess.Write);
                from.CopyTo(to);
            }
            else
            {
                throw new UnsupportedException($"tmpcopyup: {entry.FullName} is neither a file, a directory nor a symlink; runcs does not copy it");
            }

            CopyModeAndOwner(entry.FullName, destination);
        }
    }

    private static bool IsRegular(string path) => (StatOf(path).Mode & 0xF000) == 0x8000;

    private static void CopyModeAndOwner(string source, string destination)
    {
        (uint uid, uint gid, ushort mode) = StatOf(source);
        Interop.ThrowOnError(Interop.Lchown(destination, uid, gid), "lchown", destination);
        if ((mode & 0xF000) != 0xA000)
        {
            // After the chown, which clears set-id bits.
            File.SetUnixFileMode(destination, (UnixFileMode)(mode & 0xFFF));
        }
    }

    private static (uint Uid, uint Gid, ushort Mode) StatOf(string path)
    {
        byte* buffer = stackalloc byte[256];
        Interop.ThrowOnError(Interop.Statx(Interop.AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC, buffer), "statx", path);
        return (*(uint*)(buffer + 20), *(uint*)(buffer + 24), *(ushort*)(buffer + 28));
    }
}
