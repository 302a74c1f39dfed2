using System.Runtime.InteropServices;

internal static partial class Interop
{
    // The spawn calls themselves are in src/Common/Interop/Interop.PosixSpawn.cs (shared with Containers.Linux).
    internal const int SigSetSize = 128;
    internal const int SIGKILL = 9;
    internal const int SIGSTOP = 19;

    [LibraryImport(Libc, EntryPoint = "sigemptyset")]
    internal static unsafe partial int SigEmptySet(byte* set);

    [LibraryImport(Libc, EntryPoint = "sigfillset")]
    internal static unsafe partial int SigFillSet(byte* set);

    [LibraryImport(Libc, EntryPoint = "sigdelset")]
    internal static unsafe partial int SigDelSet(byte* set, int signal);

    [LibraryImport(Libc, EntryPoint = "pipe2", SetLastError = true)]
    internal static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static unsafe partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
