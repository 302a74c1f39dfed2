using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Lifecycle;

internal static partial class Interop
{
    private const string Libc = "libc";

    // openat2(2) has no glibc 2.36 wrapper; its number is the same on every architecture.
    private const long SYS_openat2 = 437;
    private const int EINTR = 4;

    internal const int O_RDONLY = 0;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;
    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    internal const ulong RESOLVE_IN_ROOT = 0x10;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SyscallOpenAt2(long number, int dirfd, byte* path, OpenHow* how, nuint size);

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="dirFd"/> as the root of every lookup (the
    /// kernel keeps <c>..</c> and absolute symlinks inside it). Returns an invalid handle and the errno on failure.
    /// </summary>
    internal static unsafe SafeFileHandle OpenAt2(SafeFileHandle dirFd, string path, int flags, ulong resolve, out int errno)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        OpenHow how = new() { Flags = (ulong)(uint)flags, Mode = 0, Resolve = resolve };
        bool added = false;
        dirFd.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = bytes)
            {
                long fd;
                do
                {
                    fd = SyscallOpenAt2(SYS_openat2, (int)dirFd.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
                    errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
                }
                while (fd < 0 && errno == EINTR);

                return new SafeFileHandle((IntPtr)fd, ownsHandle: fd >= 0);
            }
        }
        finally
        {
            if (added)
            {
                dirFd.DangerousRelease();
            }
        }
    }

    /// <summary>Opens a directory as an O_PATH handle to resolve other paths under.</summary>
    internal static SafeFileHandle OpenDirectoryPath(string path, out int errno)
    {
        // An AT_FDCWD-relative openat2 without RESOLVE_IN_ROOT is a plain open.
        using var cwd = new SafeFileHandle(-100 /* AT_FDCWD */, ownsHandle: false);
        return OpenAt2(cwd, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, out errno);
    }
}
