using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

/// <summary>
/// Copies a directory tree the way <c>cp -a</c> does, for the native snapshotter: file data is reflinked
/// (FICLONE) where the filesystem can, else copied in the kernel (copy_file_range); owner, mode
/// (setuid/setgid/sticky included), xattrs (security.capability and overlay's included), times, hard links,
/// symlinks, devices, fifos and sockets are kept. Links are never followed.
/// </summary>
internal static class TreeCopier
{
    private const int CopyChunk = 1 << 30;

    /// <summary>Copies the contents and metadata of <paramref name="source"/> into the existing directory <paramref name="destination"/>.</summary>
    public static void Copy(string source, string destination, CancellationToken cancellationToken) =>
        Copy(source, destination, shareFiles: false, cancellationToken);

    /// <summary>
    /// Copies <paramref name="source"/> into the existing directory <paramref name="destination"/>; with
    /// <paramref name="shareFiles"/>, regular files are hard-linked to the source's instead of copied (directories,
    /// symlinks, devices and fifos are still new inodes). Only for a tree that will be written by the layer
    /// applier alone: see <see cref="NativeSnapshotter.LayerApplyOnlyLabel"/>.
    /// </summary>
    public static void Copy(string source, string destination, bool shareFiles, CancellationToken cancellationToken)
    {
        var links = new Dictionary<(uint, uint, ulong), string>();
        Interop.Statx root = LStat(source);

        // Cleared by the first file the filesystem cannot reflink: one refused FICLONE per file adds up over a tree.
        var state = new CopyState { Reflink = true, ShareFiles = shareFiles };
        CopyChildren(source, destination, links, ref state, cancellationToken);
        CopyMetadata(source, destination, root);
    }

    /// <summary>lstat of an absolute path.</summary>
    public static Interop.Statx LStat(string path)
    {
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        int errno = Interop.LStatAt(cwd, path, out Interop.Statx st);
        if (errno != 0)
        {
            throw new ErrnoException(errno, "lstat", path);
        }

        return st;
    }

    private static void CopyChildren(string source, string destination, Dictionary<(uint, uint, ulong), string> links, ref CopyState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<string> names;
        using (SafeFileHandle dir = Open(source, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW))
        {
            names = Interop.ReadDirectoryNames(dir);
        }

        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        foreach (string name in names)
        {
            string from = Path.Combine(source, name);
            string to = Path.Combine(destination, name);
            Interop.Statx st = LStat(from);
            if (st.FileType != Interop.S_IFDIR && st.Nlink > 1)
            {
                var identity = (st.DevMajor, st.DevMinor, st.Ino);
                if (links.TryGetValue(identity, out string? first))
                {
                    Check(Interop.LinkAt(cwd, first, cwd, to, 0), "link", to);
                    continue;
                }

                links[identity] = to;
            }

            switch (st.FileType)
            {
                case Interop.S_IFDIR:
                    Check(Interop.MkdirAt(cwd, to, 0x1C0 /* 0700 */), "mkdir", to);
                    CopyChildren(from, to, links, ref state, cancellationToken);
                    break;
                case Interop.S_IFREG when state.ShareFiles && TryShare(cwd, from, to):
                    // The same inode: its metadata is already the source's.
                    continue;
                case Interop.S_IFREG:
                    CopyFile(from, to, st, ref state.Reflink);
                    break;
                case Interop.S_IFLNK:
                    Check(Interop.SymlinkAt(Interop.ReadLinkAt(cwd, from), cwd, to), "symlink", to);
                    break;
                default:
                    Check(Interop.MknodAt(cwd, to, st.Mode, Interop.MakeDev(st.RdevMajor, st.RdevMinor)), "mknod", to);
                    break;
            }

            CopyMetadata(from, to, st);
        }
    }

    /// <summary>Hard-links <paramref name="from"/> as <paramref name="to"/>; false where the link is refused and the file must be copied.</summary>
    private static bool TryShare(SafeFileHandle cwd, string from, string to)
    {
        if (Interop.LinkAt(cwd, from, cwd, to, 0) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();

        // EMLINK: the inode has as many links as the filesystem allows (65000 on ext4), e.g. a base layer under
        // very many snapshots; EPERM: protected_hardlinks refuses a caller that neither owns nor may write it.
        if (errno is Interop.EMLINK or Interop.EPERM)
        {
            return false;
        }

        throw new ErrnoException(errno, "link", to);
    }

    private static void CopyFile(string from, string to, Interop.Statx st, ref bool reflink)
    {
        using SafeFileHandle input = Open(from, Interop.O_RDONLY | Interop.O_NOFOLLOW);
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        using SafeFileHandle output = Interop.OpenAt(cwd, to, Interop.O_WRONLY | Interop.O_CREAT | Interop.O_EXCL | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0x180 /* 0600 */);
        if (output.IsInvalid)
        {
            Interop.ThrowLastError("create", to);
        }

        if (st.Size == 0)
        {
            return;
        }

        if (reflink)
        {
            int error = Interop.Ficlone(output, input);
            if (error == 0)
            {
                return;
            }

            // EOPNOTSUPP (ext4), EXDEV (another filesystem), EINVAL: the tree is on one filesystem, so the rest
            // would be refused alike; other errors (e.g. ETXTBSY) concern this file only.
            reflink = error is not (Interop.EOPNOTSUPP or Interop.EXDEV or Interop.EINVAL);
        }

        long remaining = (long)st.Size;
        while (remaining > 0)
        {
            long n = Interop.CopyFileRange(input, output, Math.Min(remaining, CopyChunk));
            if (n == 0)
            {
                break;
            }

            if (n < 0)
            {
                if (-n is Interop.EXDEV or Interop.EINVAL or Interop.EOPNOTSUPP or Interop.ENOSYS)
                {
                    CopyByStream(input, output);
                    return;
                }

                throw new ErrnoException((int)-n, "copy_file_range", to);
            }

            remaining -= n;
        }
    }

    private static void CopyByStream(SafeFileHandle input, SafeFileHandle output)
    {
        using var reader = new FileStream(input, FileAccess.Read, 0);
        using var writer = new FileStream(output, FileAccess.Write, 0);
        reader.CopyTo(writer, 1 << 20);
    }

    /// <summary>Owner, then mode (chown clears setuid), then xattrs (chown clears security.capability), then times.</summary>
    private static void CopyMetadata(string from, string to, Interop.Statx st)
    {
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        Check(Interop.FChownAt(cwd, to, st.Uid, st.Gid, Interop.AT_SYMLINK_NOFOLLOW), "lchown", to);
        if (st.FileType != Interop.S_IFLNK)
        {
            Check(Interop.FChmodAt(Interop.AT_FDCWD, to, st.Mode & 0xFFFu, 0), "chmod", to);
        }

        foreach (string name in Interop.LListXattr(from))
        {
            byte[]? value = Interop.LGetXattr(from, name);
            if (value is not null && Interop.LSetXattr(to, name, value) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // user.* xattrs cannot be set on symlinks and devices; the kernel never stores those anyway.
                if (!(st.FileType != Interop.S_IFREG && st.FileType != Interop.S_IFDIR && errno is Interop.EPERM or Interop.EOPNOTSUPP))
                {
                    throw new ErrnoException(errno, $"setxattr {name}", to);
                }
            }
        }

        Interop.Timespec atime = new() { Seconds = st.Atime.Seconds, Nanoseconds = st.Atime.Nanoseconds };
        Interop.Timespec mtime = new() { Seconds = st.Mtime.Seconds, Nanoseconds = st.Mtime.Nanoseconds };
        Check(Interop.UtimensAt(cwd, to, atime, mtime, Interop.AT_SYMLINK_NOFOLLOW), "utimensat", to);
    }

    private struct CopyState
    {
        public bool Reflink;
        public bool ShareFiles;
    }

    private static SafeFileHandle Open(string path, int flags)
    {
        SafeFileHandle fd = Interop.OpenAt(Interop.AT_FDCWD, path, flags | Interop.O_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            Interop.ThrowLastError("open", path);
        }

        return fd;
    }

    private static void Check(int result, string operation, string path)
    {
        if (result != 0)
        {
            Interop.ThrowLastError(operation, path);
        }
    }
}
