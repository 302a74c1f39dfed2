using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const ulong CLONE_NEWNS = 0x00020000;
    internal const ulong CLONE_PIDFD = 0x00001000;
    internal const ulong CLONE_NEWCGROUP = 0x02000000;
    internal const ulong CLONE_NEWUTS = 0x04000000;
    internal const ulong CLONE_NEWIPC = 0x08000000;
    internal const ulong CLONE_NEWUSER = 0x10000000;
    internal const ulong CLONE_NEWPID = 0x20000000;
    internal const ulong CLONE_NEWNET = 0x40000000;
    internal const ulong CLONE_NEWTIME = 0x00000080;

    /// <summary>The kernel's <c>struct clone_args</c> (version 2, 88 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CloneArgs
    {
        public ulong Flags;
        public ulong PidFd;
        public ulong ChildTid;
        public ulong ParentTid;
        public ulong ExitSignal;
        public ulong Stack;
        public ulong StackSize;
        public ulong Tls;
        public ulong SetTid;
        public ulong SetTidSize;
        public ulong Cgroup;
    }
}
