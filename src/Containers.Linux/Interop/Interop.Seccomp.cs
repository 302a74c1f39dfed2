using System.Runtime.InteropServices;


internal static partial class Interop
{
    /// <summary>libc calls the seccomp code needs: passing the notify fd over a UNIX socket.</summary>
    internal static unsafe partial class Seccomp
    {
        internal const int SolSocket = 1;
        internal const int ScmRights = 1;
        internal const int AfUnix = 1;
        internal const int SockStream = 1;
        internal const int SockCloexec = 0x80000;
        internal const int MsgNoSignal = 0x4000;
        internal const int MsgCmsgCloexec = 0x40000000;

        [StructLayout(LayoutKind.Sequential)]
        internal struct IoVec
        {
            public void* Base;
            public nuint Length;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct MsgHdr
        {
            public void* Name;
            public uint NameLength;
            public IoVec* Iov;
            public nuint IovLength;
            public void* Control;
            public nuint ControlLength;
            public int Flags;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct CmsgHdr
        {
            public nuint Length;
            public int Level;
            public int Type;
        }

        [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
        internal static partial nint SendMsg(int socket, MsgHdr* message, int flags);

        [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
        internal static partial nint RecvMsg(int socket, MsgHdr* message, int flags);

        [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
        internal static partial int SocketPair(int domain, int type, int protocol, int* fds);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
        internal static partial int Socket(int domain, int type, int protocol);

        [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
        internal static partial int Connect(int socket, SockaddrUn* address, uint addressLength);

        [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
        private static partial long Syscall3(long number, long arg1, long arg2, long arg3);

        /// <summary>seccomp(2)'s number on this architecture (x86_64 317, aarch64 277).</summary>
        internal static long SeccompNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 277 : 317;

        /// <summary>sendmsg(2)'s number on this architecture (x86_64 46, aarch64 211).</summary>
        internal static long SendMsgNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 211 : 46;

        /// <summary>
        /// seccomp(SECCOMP_SET_MODE_FILTER, flags, NULL): the kernel checks the flags before it reads the
        /// program, so EFAULT means it knows them all and EINVAL that it does not. Nothing is installed.
        /// </summary>
        internal static long ProbeFilterFlags(uint flags) => Syscall3(SeccompNumber, SeccompSetModeFilter, flags, 0);

        internal const int SeccompSetModeFilter = 1;

        /// <summary>struct sockaddr_un.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockaddrUn
        {
            public ushort Family;
            public fixed byte Path[108];
        }

        /// <summary>Bytes of control buffer for <paramref name="fdCount"/> fds (CMSG_SPACE).</summary>
        internal static int ControlSpace(int fdCount) => (sizeof(CmsgHdr) + (fdCount * sizeof(int)) + 7) & ~7;
    }
}
