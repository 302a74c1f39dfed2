using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const uint MFD_CLOEXEC = 1;

    [LibraryImport(Libc, EntryPoint = "dup3", SetLastError = true)]
    internal static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport(Libc, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long Lseek(int fd, long offset, int whence);
}
