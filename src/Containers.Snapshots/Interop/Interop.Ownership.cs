using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int FChown(SafeFileHandle fd, uint uid, uint gid);

    [LibraryImport(Libc, EntryPoint = "fchownat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FChownAt(SafeFileHandle dirfd, string name, uint uid, uint gid, int flags);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChmod(SafeFileHandle fd, uint mode);

    // Only ever called with a /proc/self/fd/N path for an O_PATH fd that was checked not to be a
    // symlink: the magic link names that exact inode, so no path lookup can be redirected.
    [LibraryImport(Libc, EntryPoint = "fchmodat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FChmodAt(int dirfd, string path, uint mode, int flags);
}
