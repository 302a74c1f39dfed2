using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int P_PIDFD = 3;
    internal const int WEXITED = 4;
    internal const int PR_SET_CHILD_SUBREAPER = 36;

    [LibraryImport(Libc, EntryPoint = "waitid", SetLastError = true)]
    internal static unsafe partial int WaitId(int idType, int id, byte* info, int options);

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>
    /// Waits for the child behind <paramref name="pidfd"/> to exit, reaps it and returns its exit code
    /// (128 + signal when killed), retrying on EINTR.
    /// </summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">waitid failed.</exception>
    internal static unsafe int WaitPidfd(int pidfd)
    {
        // siginfo_t is 128 bytes: si_code at offset 8, si_status at 24 for SIGCHLD.
        byte* info = stackalloc byte[128];
        while (true)
        {
            new Span<byte>(info, 128).Clear();
            if (WaitId(P_PIDFD, pidfd, info, WEXITED) == 0)
            {
                int code = *(int*)(info + 8);
                int status = *(int*)(info + 24);
                const int CLD_EXITED = 1;
                return code == CLD_EXITED ? status : 128 + status;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw new Containers.Linux.LinuxErrorException("waitid", errno, $"pidfd {pidfd}");
            }
        }
    }
}
