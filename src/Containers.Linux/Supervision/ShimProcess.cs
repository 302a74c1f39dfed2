namespace Containers.Linux.Supervision;

/// <summary>A task's init process or one exec'd process, as the shim tracks it.</summary>
internal sealed class ShimProcess(string? execId, string directory)
{
    /// <summary>The exec id, or <see langword="null"/> for init.</summary>
    public string? ExecId { get; } = execId;

    /// <summary>The task directory (pid files, exec process JSON, exit files).</summary>
    public string Directory { get; } = directory;

    /// <summary>The host pid once the runtime created the process; 0 before.</summary>
    public int Pid { get; set; }

    /// <summary>The protocol state (<see cref="ShimStatus"/>).</summary>
    public string Status { get; set; } = ShimStatus.Created;

    /// <summary>How it ended, once reaped.</summary>
    public ShimExitRecord? Exit { get; set; }

    /// <summary>The pidfd the loop watches (reaping does not depend on SIGCHLD reaching this thread).</summary>
    public SafeFdHandle? Pidfd { get; set; }

    /// <summary>The stdout and stderr pumps.</summary>
    public List<StdioPump> Pumps { get; } = [];

    /// <summary>Copies the stdin FIFO into the process (its stdin pipe, or the pty master) until CloseIO.</summary>
    public StdinPump? StdinPump { get; set; }

    /// <summary>The pty master received from the runtime, when the process runs on a terminal.</summary>
    public SafeFdHandle? Console { get; set; }

    /// <summary>Whether the process runs on a pseudo-terminal.</summary>
    public bool Terminal { get; set; }

    /// <summary>Connections waiting for the exit.</summary>
    public List<ShimConnection> Waiters { get; } = [];

    /// <summary>The stdio paths asked for.</summary>
    public (string? Stdin, string? Stdout, string? Stderr) IO { get; set; }

    /// <summary>The init's pid file name in the task directory.</summary>
    public const string InitPidFileName = "init.pid";

    /// <summary>Where a runtime binary writes the pid (the in-process engine reports it in memory: <see cref="IRuntimeDriver.TakeReportedPid"/>).</summary>
    public string PidFile => Path.Combine(Directory, ExecId is null ? InitPidFileName : $"exec-{ExecId}.pid");

    /// <summary>The exit file.</summary>
    public string ExitFile => ShimPaths.ExitFile(Directory, ExecId);
}
