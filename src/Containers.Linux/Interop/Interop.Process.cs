using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int WNOHANG = 1;

    /// <summary>waitpid's __WALL: also children whose exit signal is not SIGCHLD (an exec's process, cloned with exit_signal 0).</summary>
    internal const int WALL = 0x40000000;
    internal const int POLLIN = 0x1;

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static unsafe partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Libc, EntryPoint = "getpid")]
    internal static partial int GetPid();

    [LibraryImport(Libc, EntryPoint = "getuid")]
    internal static partial uint GetUid();

    [LibraryImport(Libc, EntryPoint = "getgid")]
    internal static partial uint GetGid();

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>The C <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>Waits for a child, retrying EINTR; returns the raw wait status.</summary>
    internal static unsafe int WaitForChild(int pid)
    {
        int status;
        while (WaitPid(pid, &status, WALL) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw new Containers.Linux.LinuxErrorException("waitpid", errno, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return status;
    }

    /// <summary>Shell-style exit code of a wait status: the exit code, or 128 + the signal number.</summary>
    internal static int ExitCodeOf(int waitStatus)
    {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
    }
}
