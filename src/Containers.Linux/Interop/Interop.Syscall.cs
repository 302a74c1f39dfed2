using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// System call numbers the child path issues through libc's <c>syscall</c>. Numbers differ between
    /// x86_64 and the generic table (aarch64); calls added since 5.x (clone3, openat2, …) share one number.
    /// The table is copied into the child program by value, so the child reads no static state.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SyscallTable
    {
        public long Read, Write, Close, OpenAt, OpenAt2, MkdirAt, MknodAt, SymlinkAt, UnlinkAt, FchownAt;
        public long Mount, Umount2, PivotRoot, MountSetattr, MoveMount, Chdir, Fchdir, Getcwd, Statx;
        public long SetHostname, SetDomainname, Prctl, Capset, SetResUid, SetResGid, SetGroups;
        public long Prlimit64, Execve, ExitGroup, RtSigaction, RtSigprocmask, Umask, Setsid, CloseRange, Clone3, Unshare;

        /// <summary>Calls of the terminal set-up (pty, console socket, stdio).</summary>
        public long Ioctl, SendMsg, Dup3, Fchown;

        /// <summary>setns(2), for joining namespaces (exec, and linux.namespaces[].path).</summary>
        public long Setns;

        /// <summary>Calls of the in-container hooks, the time namespace, the session keyring and --no-pivot.</summary>
        public long Pipe2, Ppoll, Wait4, Kill, Keyctl, Chroot;

        /// <summary>The table for the running process's architecture.</summary>
        /// <exception cref="Containers.UnsupportedException">The architecture is neither x64 nor arm64.</exception>
        public static SyscallTable ForCurrentArchitecture() => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => new SyscallTable
            {
                Read = 0, Write = 1, Close = 3, OpenAt = 257, MkdirAt = 258, MknodAt = 259, SymlinkAt = 266,
                UnlinkAt = 263, FchownAt = 260, Mount = 165, Umount2 = 166, PivotRoot = 155, Chdir = 80,
                Fchdir = 81, Getcwd = 79, Statx = 332, SetHostname = 170, SetDomainname = 171, Prctl = 157,
                Capset = 126, SetResUid = 117, SetResGid = 119, SetGroups = 116, Prlimit64 = 302, Execve = 59,
                ExitGroup = 231, RtSigaction = 13, RtSigprocmask = 14, Umask = 95, Setsid = 112,
                OpenAt2 = 437, MountSetattr = 442, MoveMount = 429, CloseRange = 436, Clone3 = 435, Unshare = 272,
                Ioctl = 16, SendMsg = 46, Dup3 = 292, Fchown = 93, Setns = 308,
                Pipe2 = 293, Ppoll = 271, Wait4 = 61, Kill = 62, Keyctl = 250, Chroot = 161,
            },
            Architecture.Arm64 => new SyscallTable
            {
                Read = 63, Write = 64, Close = 57, OpenAt = 56, MkdirAt = 34, MknodAt = 33, SymlinkAt = 36,
                UnlinkAt = 35, FchownAt = 54, Mount = 40, Umount2 = 39, PivotRoot = 41, Chdir = 49,
                Fchdir = 50, Getcwd = 17, Statx = 291, SetHostname = 161, SetDomainname = 162, Prctl = 167,
                Capset = 91, SetResUid = 147, SetResGid = 149, SetGroups = 159, Prlimit64 = 261, Execve = 221,
                ExitGroup = 94, RtSigaction = 134, RtSigprocmask = 135, Umask = 166, Setsid = 157,
                OpenAt2 = 437, MountSetattr = 442, MoveMount = 429, CloseRange = 436, Clone3 = 435, Unshare = 97,
                Ioctl = 29, SendMsg = 211, Dup3 = 24, Fchown = 55, Setns = 268,
                Pipe2 = 59, Ppoll = 73, Wait4 = 260, Kill = 129, Keyctl = 219, Chroot = 51,
            },
            _ => throw new Containers.UnsupportedException($"architecture {RuntimeInformation.ProcessArchitecture} is not supported by the spawner (x64 and arm64 are)"),
        };
    }

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall2(long number, long arg1, long arg2);

    private const long SYS_pidfd_open = 434;
    private const long SYS_pidfd_send_signal = 424;

    /// <summary>pidfd_open(2): a descriptor that stays bound to one process, immune to pid reuse.</summary>
    internal static int PidfdOpen(int pid) => (int)Syscall2(SYS_pidfd_open, pid, 0);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long arg1, long arg2, long arg3, long arg4);

    /// <summary>pidfd_send_signal(2).</summary>
    internal static int PidfdSendSignal(int pidfd, int signal) => (int)Syscall4(SYS_pidfd_send_signal, pidfd, signal, 0, 0);
}
