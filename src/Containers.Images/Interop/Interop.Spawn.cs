using System.Runtime.InteropServices;

namespace Containers;

internal static partial class Interop
{
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336 and sigset_t 128 on
    // 64-bit; the buffers are larger so a different layout cannot overflow them.
    internal const int SpawnFileActionsSize = 256;
    internal const int SpawnAttrSize = 1024;
    internal const int SigSetSize = 128;
    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const int SIGKILL = 9;
    internal const int SIGSTOP = 19;

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    internal static unsafe partial int PosixSpawn(int* pid, byte* path, byte* fileActions, byte* attr, byte** argv, byte** envp);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int SpawnFileActionsInit(byte* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int SpawnFileActionsDestroy(byte* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int SpawnFileActionsAddDup2(byte* actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static unsafe partial int SpawnFileActionsAddCloseFrom(byte* actions, int from);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int SpawnAttrInit(byte* attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int SpawnAttrDestroy(byte* attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int SpawnAttrSetFlags(byte* attr, short flags);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    internal static unsafe partial int SpawnAttrSetSigMask(byte* attr, byte* set);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static unsafe partial int SpawnAttrSetSigDefault(byte* attr, byte* set);

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
