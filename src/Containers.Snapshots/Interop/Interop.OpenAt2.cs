using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    // openat2(2) has no libc wrapper in glibc 2.36, so it goes through syscall(2). The number
    // is the same on every architecture (new syscalls were unified from 424 on).
    private const long SYS_openat2 = 437;

    internal const ulong RESOLVE_NO_XDEV = 0x01;
    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    internal const ulong RESOLVE_NO_SYMLINKS = 0x04;
    internal const ulong RESOLVE_BENEATH = 0x08;
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
    /// Opens <paramref name="path"/> relative to <paramref name="rootFd"/> with the kernel treating
    /// that fd as the root for every component, symlinks included; returns -errno on failure.
    /// </summary>
    internal static unsafe SafeFileHandle OpenAt2(SafeFileHandle rootFd, string path, int flags, ulong resolve, out int errno)
    {
        OpenHow how = new() { Flags = (ulong)(uint)flags, Mode = 0, Resolve = resolve };
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(path.Length) + 1;
        byte[]? rented = max > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[512];
        try
        {
            int n = System.Text.Encoding.UTF8.GetBytes(path, bytes);
            bytes[n] = 0;
            bool added = false;
            rootFd.DangerousAddRef(ref added);
            try
            {
                fixed (byte* p = bytes)
                {
                    long fd;
                    do
                    {
                        fd = SyscallOpenAt2(SYS_openat2, (int)rootFd.DangerousGetHandle(), p, &how, (nuint)sizeof(OpenHow));
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
                    rootFd.DangerousRelease();
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
