using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// The seccomp step of the container child, in unmanaged memory: the program as the kernel's
/// <c>struct sock_fprog</c>, the flags, and the socket over which the child hands a notify fd to the parent.
/// The syscall numbers travel with it, so the child reads no static state.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildSeccomp
{
    /// <summary>seccomp(2)'s number.</summary>
    public long SeccompNr;

    /// <summary>sendmsg(2)'s number.</summary>
    public long SendMsgNr;

    /// <summary>
    /// <c>struct sock_fprog.len</c>: the number of instructions. With <see cref="Filter"/> right after it this
    /// field's address is a <c>struct sock_fprog*</c> (u16, padding, pointer).
    /// </summary>
    public ushort Length;

    /// <summary><c>struct sock_fprog.filter</c>: the instructions (8 bytes each), in the arena.</summary>
    public Seccomp.SockFilter* Filter;

    /// <summary>The flags of seccomp(SECCOMP_SET_MODE_FILTER, flags, &amp;prog).</summary>
    public ulong Flags;

    /// <summary>
    /// 1 to install before dropping capabilities and switching user: without no_new_privs, seccomp(2) needs
    /// CAP_SYS_ADMIN (runc's order). 0 to install just before waiting for start and execve.
    /// </summary>
    public int BeforeCapabilities;

    /// <summary>Child's end of the notify socketpair (SCM_RIGHTS to the parent), or -1 without NOTIFY.</summary>
    public int NotifySocket;

    /// <summary>Parent's end of the notify socketpair, closed first thing in the child, or -1.</summary>
    public int NotifyParentSocket;

    /// <summary>Padding.</summary>
    public int Reserved;
}
