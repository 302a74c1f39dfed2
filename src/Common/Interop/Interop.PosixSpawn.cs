using System.Runtime.InteropServices;

// posix_spawn, its file actions and attributes: the one way a managed host starts a program (DESIGN §2:
// no managed code runs in the child). One source, compiled into each package that spawns (Images for
// credential helpers, Linux for the shim's processes), as dotnet/runtime shares its Common/Interop files;
// a package cannot take it from another without a reference the layering forbids.
internal static partial class Interop
{
    // glibc's posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 on 64-bit; the
    // buffers are larger so a different layout cannot overflow them.
    internal const int SpawnFileActionsSize = 256;
    internal const int SpawnAttrSize = 1024;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const short POSIX_SPAWN_SETSID = 0x80;

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    internal static unsafe partial int PosixSpawn(int* pid, byte* path, byte* fileActions, byte* attr, byte** argv, byte** envp);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int SpawnFileActionsInit(byte* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int SpawnFileActionsDestroy(byte* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int SpawnFileActionsAddDup2(byte* actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addopen")]
    internal static unsafe partial int SpawnFileActionsAddOpen(byte* actions, int fd, byte* path, int flags, int mode);

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
}
