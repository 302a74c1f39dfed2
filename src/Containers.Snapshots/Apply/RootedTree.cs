using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Apply;

/// <summary>
/// The directory tree a layer is applied to, reached only through file descriptors: the root is
/// held open, every parent directory is resolved by openat2 with RESOLVE_IN_ROOT (the kernel keeps
/// <c>..</c> and symlinks, absolute or relative, inside the root), and every change is a *at call
/// on that parent's fd. No path string is ever resolved by the process and then reused.
/// </summary>
internal sealed class RootedTree : IDisposable
{
    private const ulong Resolve = Interop.RESOLVE_IN_ROOT | Interop.RESOLVE_NO_MAGICLINKS;
    private const int DirectoryPathFlags = Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC;

    private readonly SafeFileHandle _root;
    private string? _cachedPath;
    private SafeFileHandle? _cached;

    private RootedTree(SafeFileHandle root) => _root = root;

    /// <summary>The root directory's fd (O_PATH).</summary>
    public SafeFileHandle Root => _root;

    /// <summary>Opens the root. The caller's own path to it is trusted, as containerd trusts it.</summary>
    public static RootedTree Open(string rootDirectory)
    {
        SafeFileHandle root = Interop.OpenAt(Interop.AT_FDCWD, rootDirectory, DirectoryPathFlags, 0);
        if (root.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            root.Dispose();
            if (errno is Interop.ENOENT or Interop.ENOTDIR)
            {
                throw new NotFoundException("directory", rootDirectory);
            }

            throw new ErrnoException(errno, "open", rootDirectory);
        }

        return new RootedTree(root);
    }

    /// <summary>
    /// The directory <paramref name="parentPath"/> (cleaned, relative to the root) as an O_PATH fd
    /// owned by this tree and valid until the next call; null when it does not exist (or is not a
    /// directory) and <paramref name="create"/> is false. Missing directories are created 0755,
    /// as containerd does for entries whose parents the layer does not list.
    /// </summary>
    public SafeFileHandle? GetParent(string parentPath, bool create)
    {
        if (parentPath.Length == 0)
        {
            return _root;
        }

        if (_cached is not null && string.Equals(_cachedPath, parentPath, StringComparison.Ordinal))
        {
            return _cached;
        }

        SafeFileHandle fd = Interop.OpenAt2(_root, parentPath, DirectoryPathFlags, Resolve, out int errno);
        if (fd.IsInvalid)
        {
            fd.Dispose();
            if (!create && errno is Interop.ENOENT or Interop.ENOTDIR)
            {
                return null;
            }

            if (errno != Interop.ENOENT)
            {
                throw new ErrnoException(errno, "openat2", parentPath);
            }

            fd = CreateDirectories(parentPath);
        }

        // The previous handle may still be in a caller's hands only until it asks for the next
        // parent, because entries are applied one at a time.
        _cached?.Dispose();
        _cached = fd;
        _cachedPath = parentPath;
        return fd;
    }

    /// <summary>Opens a directory's parent without touching the cache; the caller disposes it.</summary>
    public SafeFileHandle? OpenParentUncached(string parentPath)
    {
        SafeFileHandle fd = Interop.OpenAt2(_root, parentPath, DirectoryPathFlags, Resolve, out int errno);
        if (!fd.IsInvalid)
        {
            return fd;
        }

        fd.Dispose();
        return errno is Interop.ENOENT or Interop.ENOTDIR ? null : throw new ErrnoException(errno, "openat2", parentPath);
    }

    /// <summary>
    /// Forgets the cached parent: after anything is removed or replaced, a path resolved earlier
    /// may now resolve elsewhere.
    /// </summary>
    public void Invalidate() => _cachedPath = null;

    /// <summary>Removes <paramref name="name"/> under <paramref name="parent"/>, recursively, never following a link; false if absent.</summary>
    public bool RemoveAll(SafeFileHandle parent, string name)
    {
        Invalidate();
        if (Interop.UnlinkAt(parent, name, 0) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Interop.ENOENT)
        {
            return false;
        }

        if (errno != Interop.EISDIR && errno != Interop.EPERM)
        {
            throw new ErrnoException(errno, "unlinkat", name);
        }

        using (SafeFileHandle dir = OpenDirectoryForReading(parent, name))
        {
            foreach (string child in Interop.ReadDirectoryNames(dir))
            {
                RemoveAll(dir, child);
            }
        }

        if (Interop.UnlinkAt(parent, name, Interop.AT_REMOVEDIR) != 0)
        {
            Interop.ThrowLastError("unlinkat", name);
        }

        return true;
    }

    /// <summary>Opens a child directory for reading or fchmod, refusing a symlink in its place.</summary>
    public static SafeFileHandle OpenDirectoryForReading(SafeFileHandle parent, string name)
    {
        SafeFileHandle dir = Interop.OpenAt(parent, name, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        if (dir.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            dir.Dispose();
            throw new ErrnoException(errno, "openat", name);
        }

        return dir;
    }

    public void Dispose()
    {
        _cached?.Dispose();
        _root.Dispose();
    }

    private SafeFileHandle CreateDirectories(string path)
    {
        SafeFileHandle current = _root;
        int start = 0;
        while (true)
        {
            int slash = path.IndexOf('/', start);
            int end = slash < 0 ? path.Length : slash;
            string prefix = path[..end];
            string name = path[start..end];
            SafeFileHandle next = Interop.OpenAt2(_root, prefix, DirectoryPathFlags, Resolve, out int errno);
            if (next.IsInvalid)
            {
                next.Dispose();
                if (errno != Interop.ENOENT)
                {
                    Release(current);
                    throw new ErrnoException(errno, "openat2", prefix);
                }

                if (Interop.MkdirAt(current, name, 0x1ed) != 0 && Marshal.GetLastPInvokeError() != Interop.EEXIST)
                {
                    Release(current);
                    Interop.ThrowLastError("mkdirat", prefix);
                }

                next = Interop.OpenAt2(_root, prefix, DirectoryPathFlags, Resolve, out errno);
                if (next.IsInvalid)
                {
                    next.Dispose();
                    Release(current);
                    throw new ErrnoException(errno, "openat2", prefix);
                }
            }

            Release(current);
            current = next;
            if (slash < 0)
            {
                return current;
            }

            start = slash + 1;
        }
    }

    private void Release(SafeFileHandle fd)
    {
        if (!ReferenceEquals(fd, _root))
        {
            fd.Dispose();
        }
    }
}
