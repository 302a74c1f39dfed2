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

        /// <summary>Bytes of control buffer for <paramref name="fdCount"/> fds (CMSG_SPACE).</summary>
        internal static int ControlSpace(int fdCount) => (sizeof(CmsgHdr) + (fdCount * sizeof(int)) + 7) & ~7;
    }
}
