namespace Containers.Linux.Runtime;

/// <summary>A container process the spawner created: its pid, a pidfd, and the wait for its end.</summary>
public sealed class SpawnedProcess : IDisposable
{
    private readonly SafeFdHandle _pidfd;
    private int? _exitCode;

    internal SpawnedProcess(int pid, SafeFdHandle pidfd, int cloneRetries)
    {
        Pid = pid;
        _pidfd = pidfd;
        CloneRetries = cloneRetries;
    }

    /// <summary>Host pid of the container's process.</summary>
    public int Pid { get; }

    /// <summary>How many clones were discarded because a GC suspension overlapped them.</summary>
    public int CloneRetries { get; }

    /// <summary>Waits for the process (it is the spawner's child) and returns its exit code, or 128 + signal.</summary>
    public int WaitForExit()
    {
        _exitCode ??= Interop.ExitCodeOf(Interop.WaitForChild(Pid));
        return _exitCode.Value;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to end; false on timeout.</summary>
    public unsafe bool WaitForExit(TimeSpan timeout)
    {
        if (_exitCode is not null)
        {
            return true;
        }

        Interop.PollFd poll = new() { Fd = _pidfd.Fd, Events = Interop.POLLIN };
        int ready = Interop.Poll(&poll, 1, (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));
        if (ready <= 0)
        {
            return false;
        }

        WaitForExit();
        return true;
    }

    /// <summary>Sends <paramref name="signal"/> through the pidfd (never to a recycled pid).</summary>
    /// <exception cref="LinuxErrorException">pidfd_send_signal failed (ESRCH: already exited).</exception>
    public void Signal(int signal) => Interop.ThrowOnError(Interop.PidfdSendSignal(_pidfd.Fd, signal), "pidfd_send_signal");

    /// <summary>Closes the pidfd; does not kill or reap the process.</summary>
    public void Dispose() => _pidfd.Dispose();
}
