using Microsoft.Win32.SafeHandles;

namespace Containers.Images.Layout;

/// <summary>
/// Reads files of an OCI layout directory without following symlinks anywhere below its root
/// (each component is opened with O_NOFOLLOW relative to its parent), and only regular files.
/// </summary>
internal sealed class LayoutDirectory : IDisposable
{
    private readonly SafeFileHandle _root;

    public LayoutDirectory(string path)
    {
        _root = Interop.Open(path, Interop.O_RDONLY | Interop.O_DIRECTORY, 0, out _, Interop.ENOENT, Interop.ENOTDIR)
            ?? throw new InvalidArchiveException(InvalidArchiveReason.Malformed, path, "not a directory");
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens <paramref name="relative"/> (components separated by <c>/</c>) for reading; null when absent.</summary>
    /// <exception cref="InvalidArchiveException">A component is a symlink, or the file is not a regular file.</exception>
    public FileStream? TryOpen(string relative)
    {
        string[] parts = relative.Split('/');
        SafeFileHandle directory = _root;
        List<SafeFileHandle> opened = [];
        try
        {
            for (int i = 0; i < parts.Length; i++)
            {
                bool last = i == parts.Length - 1;
                int flags = Interop.O_RDONLY | (last ? Interop.O_NONBLOCK : Interop.O_DIRECTORY);
                SafeFileHandle? handle = Interop.OpenAt(directory, parts[i], flags, out int errno, Interop.ENOENT, Interop.ELOOP, Interop.ENOTDIR);
                if (handle is null)
                {
                    return errno == Interop.ENOENT
                        ? null
                        : throw new InvalidArchiveException(InvalidArchiveReason.LinkOrSpecialFile, string.Join('/', parts[..(i + 1)]), "is a symbolic link or not a directory");
                }

                if (last)
                {
                    if (Interop.GetFileType(handle, relative) != Interop.S_IFREG)
                    {
                        handle.Dispose();
                        throw new InvalidArchiveException(InvalidArchiveReason.LinkOrSpecialFile, relative, "is not a regular file");
                    }

                    return new FileStream(handle, FileAccess.Read, bufferSize: 0);
                }

                opened.Add(handle);
                directory = handle;
            }

            return null;
        }
        finally
        {
            foreach (SafeFileHandle handle in opened)
            {
                handle.Dispose();
            }
        }
    }

    public void Dispose() => _root.Dispose();
}
