using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const uint EPOLLIN = 0x1;
    internal const uint EPOLLOUT = 0x4;
    internal const uint EPOLLERR = 0x8;
    internal const uint EPOLLHUP = 0x10;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CLOEXEC = 0x80000;

    /// <summary>
    /// sizeof(struct epoll_event): the kernel packs it on x86-64 (12 bytes), other 64-bit
    /// architectures align the data field (16 bytes).
    /// </summary>
    internal static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>The offset of the data field in struct epoll_event.</summary>
    internal static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport(Libc, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport(Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static unsafe partial int EpollCtl(int epfd, int op, int fd, byte* @event);

    [LibraryImport(Libc, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static unsafe partial int EpollWait(int epfd, byte* events, int maxEvents, int timeout);

    /// <summary>Registers <paramref name="fd"/> for <paramref name="events"/> with the fd itself as the data.</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">epoll_ctl failed.</exception>
    internal static unsafe void EpollAdd(int epfd, int fd, uint events)
    {
        byte* buffer = stackalloc byte[16];
        new Span<byte>(buffer, 16).Clear();
        *(uint*)buffer = events;
        *(ulong*)(buffer + EpollDataOffset) = (ulong)fd;
        ThrowOnError(EpollCtl(epfd, EPOLL_CTL_ADD, fd, buffer), "epoll_ctl", $"fd {fd}");
    }

    /// <summary>Removes <paramref name="fd"/> from the set; a descriptor that is not registered is ignored.</summary>
    internal static unsafe void EpollRemove(int epfd, int fd)
    {
        byte* buffer = stackalloc byte[16];
        new Span<byte>(buffer, 16).Clear();
        _ = EpollCtl(epfd, EPOLL_CTL_DEL, fd, buffer);
    }
}
