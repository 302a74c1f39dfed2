namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const string Libc = "libc";

    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_REMOVEDIR = 0x200;
    internal const int AT_EMPTY_PATH = 0x1000;

    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EIO = 5;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int ENOSPC = 28;
    internal const int EROFS = 30;
    internal const int EPERM = 1;
    internal const int EACCES = 13;
    internal const int ENOTEMPTY = 39;
    internal const int ELOOP = 40;
    internal const int ENOSYS = 38;
    internal const int EDQUOT = 122;

    /// <summary>Throws for the errno of the last failed call; the one place errno becomes an exception.</summary>
    internal static void ThrowLastError(string operation, string? path = null) =>
        throw new ErrnoException(Marshal.GetLastPInvokeError(), operation, path);
}
