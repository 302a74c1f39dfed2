using System.Globalization;
using Containers.Diff;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Mounting;

/// <summary>
/// Id-mapped copies of overlay lower directories, as containerd 2.0's mount code makes them: each lower is cloned
/// detached (open_tree OPEN_TREE_CLONE), id-mapped with mount_setattr(MOUNT_ATTR_IDMAP) and a user namespace with
/// the mapping, and attached under a private temporary directory, so overlay can take it as a lowerdir. Overlay
/// keeps its own private clones of its layers, so the copies are detached and removed as soon as the overlay is
/// mounted (or failed): nothing of them is left behind.
/// </summary>
internal sealed class IdMappedLayers : IDisposable
{
    private readonly string _root;
    private readonly List<string> _mounted = [];

    private IdMappedLayers(string root) => _root = root;

    /// <summary>The mapped copies, in the order of the lowers given.</summary>
    public List<string> Directories { get; } = [];

    /// <summary>Makes an id-mapped copy of each of <paramref name="lowers"/>.</summary>
    /// <exception cref="UnsupportedException">A lower's filesystem cannot be id-mapped on this kernel.</exception>
    /// <exception cref="IOException">A mount call failed otherwise.</exception>
    public static IdMappedLayers Create(IReadOnlyList<string> lowers, IdMapRange[] uids, IdMapRange[] gids, IUserNamespaceProvider provider)
    {
        IdMappedLayers result = new(Directory.CreateTempSubdirectory("containers-idmap-").FullName);
        try
        {
            File.SetUnixFileMode(result._root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            using SafeFileHandle userNamespace = provider.OpenUserNamespace(uids, gids);
            for (int i = 0; i < lowers.Count; i++)
            {
                string directory = Path.Combine(result._root, i.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(directory);
                result.Directories.Add(directory);
                using SafeFileHandle tree = MapTree(lowers[i], userNamespace, 0);
                Interop.MoveMount(tree, directory);
                result._mounted.Add(directory);
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>A detached, id-mapped clone of the tree at <paramref name="source"/>, with <paramref name="extraAttributes"/> set too.</summary>
    /// <exception cref="UnsupportedException">The source's filesystem cannot be id-mapped on this kernel.</exception>
    public static SafeFileHandle MapTree(string source, SafeFileHandle userNamespace, ulong extraAttributes)
    {
        SafeFileHandle tree = Interop.OpenTreeClone(source);
        int errno = Interop.SetIdMap(tree, userNamespace, extraAttributes);
        if (errno == 0)
        {
            return tree;
        }

        tree.Dispose();
        throw errno == Interop.EINVAL
            ? new UnsupportedException($"id-mapped mount of \"{source}\": its filesystem does not support id-mapped mounts on this kernel (mount_setattr MOUNT_ATTR_IDMAP: EINVAL)")
            : new ErrnoException(errno, "mount_setattr(MOUNT_ATTR_IDMAP)", source);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (string directory in _mounted)
        {
            // Lazily: a process spawned meanwhile may hold a descriptor copy; the overlay has its own clone.
            _ = Interop.Umount2(directory, Interop.MNT_DETACH | Interop.UMOUNT_NOFOLLOW);
        }

        _mounted.Clear();

        // Non-recursive deletes: a directory still mounted over (a failed unmount) is left rather than emptied.
        foreach (string directory in Directories)
        {
            TryDelete(directory);
        }

        TryDelete(_root);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory);
        }
        catch (IOException)
        {
        }
    }
}
