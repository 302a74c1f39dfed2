using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>ioctl on a namespace fd: returns its CLONE_NEW* type (Linux 4.11); ENOTTY on any other file.</summary>
    internal const ulong NS_GET_NSTYPE = 0xB703;

    /// <summary>
    /// ioctl on a pidfd: returns a descriptor of that process's namespace (Linux 6.11), so a namespace is taken
    /// from exactly the process the pidfd pins, never from whatever now has its pid. The request is _IO(0xFF, n).
    /// </summary>
    internal const ulong PIDFD_GET_CGROUP_NAMESPACE = 0xFF01;
    internal const ulong PIDFD_GET_IPC_NAMESPACE = 0xFF02;
    internal const ulong PIDFD_GET_MNT_NAMESPACE = 0xFF03;
    internal const ulong PIDFD_GET_NET_NAMESPACE = 0xFF04;
    internal const ulong PIDFD_GET_PID_NAMESPACE = 0xFF05;
    internal const ulong PIDFD_GET_TIME_NAMESPACE = 0xFF07;
    internal const ulong PIDFD_GET_USER_NAMESPACE = 0xFF09;
    internal const ulong PIDFD_GET_UTS_NAMESPACE = 0xFF0A;

    /// <summary>A descriptor of one namespace of the process behind <paramref name="pidfd"/>, or -1 (errno set).</summary>
    internal static unsafe int PidfdNamespace(int pidfd, ulong request) => Ioctl(pidfd, request, null);

    /// <summary>unshare(2): the calling thread gets new namespaces of the CLONE_NEW* <paramref name="flags"/>.</summary>
    [LibraryImport(Libc, EntryPoint = "unshare", SetLastError = true)]
    internal static partial int Unshare(int flags);

    /// <summary>setns(2): the calling thread joins the namespace behind <paramref name="fd"/>.</summary>
    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int Setns(int fd, int nstype);
}
