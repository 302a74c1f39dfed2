using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>sizeof(sigset_t) in glibc; the kernel reads only the first 8 bytes.</summary>
    internal const int SigSetSize = 128;

    /// <summary>sizeof(struct signalfd_siginfo).</summary>
    internal const int SignalFdInfoSize = 128;

    internal const int SIG_BLOCK = 0;
    internal const int SFD_NONBLOCK = 0x800;
    internal const int SFD_CLOEXEC = 0x80000;

    [LibraryImport(Libc, EntryPoint = "sigemptyset", SetLastError = true)]
    internal static unsafe partial int SigEmptySet(byte* set);

    [LibraryImport(Libc, EntryPoint = "sigfillset", SetLastError = true)]
    internal static unsafe partial int SigFillSet(byte* set);

    [LibraryImport(Libc, EntryPoint = "sigaddset", SetLastError = true)]
    internal static unsafe partial int SigAddSet(byte* set, int signal);

    [LibraryImport(Libc, EntryPoint = "sigdelset", SetLastError = true)]
    internal static unsafe partial int SigDelSet(byte* set, int signal);

    [LibraryImport(Libc, EntryPoint = "pthread_sigmask")]
    internal static unsafe partial int PthreadSigMask(int how, byte* set, byte* oldSet);

    [LibraryImport(Libc, EntryPoint = "signalfd", SetLastError = true)]
    internal static unsafe partial int SignalFd(int fd, byte* mask, int flags);
}
