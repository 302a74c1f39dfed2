using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

/// <summary>
/// Measures a tree as containerd's <c>fs.DiskUsage</c> does: allocated blocks (st_blocks × 512) and one
/// inode for each distinct inode, so hard links count once. Never follows symlinks or crosses into
/// another filesystem.
/// </summary>
internal static class DiskUsage
{
    public static SnapshotUsage Measure(string root, CancellationToken cancellationToken)
    {
        using SafeFileHandle dir = Interop.OpenAt(Interop.AT_FDCWD, root, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        if (dir.IsInvalid)
        {
            Interop.ThrowLastError("open", root);
        }

        Interop.Statx st = Interop.FStat(dir);
        var seen = new HashSet<ulong> { st.Ino };
        long size = (long)st.Blocks * 512;
        Walk(dir, st.DevMajor, st.DevMinor, seen, ref size, cancellationToken);
        return new SnapshotUsage(size, seen.Count);
    }

    private static void Walk(SafeFileHandle dir, uint devMajor, uint devMinor, HashSet<ulong> seen, ref long size, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (string name in Interop.ReadDirectoryNames(dir))
        {
            if (Interop.LStatAt(dir, name, out Interop.Statx st) != 0 || st.DevMajor != devMajor || st.DevMinor != devMinor)
            {
                continue;
            }

            if (seen.Add(st.Ino))
            {
                size += (long)st.Blocks * 512;
            }

            if (st.FileType == Interop.S_IFDIR)
            {
                using SafeFileHandle child = Interop.OpenAt(dir, name, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
                if (!child.IsInvalid)
                {
                    Walk(child, devMajor, devMinor, seen, ref size, cancellationToken);
                }
            }
        }
    }
}
