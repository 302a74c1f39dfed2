internal static partial class Interop
{
    /// <summary>The C library that every syscall wrapper below binds to.</summary>
    internal const string Libc = "libc";

    internal const int EINTR = 4;
    internal const int ENOENT = 2;
    internal const int EEXIST = 17;
    internal const int EINVAL = 22;
    internal const int ENOSYS = 38;
    internal const int EWOULDBLOCK = 11;

    internal const int AT_FDCWD = -100;
}
