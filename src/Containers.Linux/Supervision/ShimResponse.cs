namespace Containers.Linux.Supervision;

/// <summary>A shim's answer to one <see cref="ShimRequest"/>: an error, or the fields the operation returns.</summary>
internal sealed class ShimResponse
{
    /// <summary>The error kind (<see cref="ShimErrorKind"/>), or <see langword="null"/> on success.</summary>
    public string? Error { get; set; }

    /// <summary>What went wrong, for the exception message.</summary>
    public string? Message { get; set; }

    /// <summary>The process's host pid (create, start, state).</summary>
    public int Pid { get; set; }

    /// <summary>The process's state (state): created, running, paused or stopped.</summary>
    public string? Status { get; set; }

    /// <summary>How the process ended (wait, delete, state when stopped).</summary>
    public ShimExitRecord? Exit { get; set; }

    /// <summary>The task's processes (pids).</summary>
    public List<ShimPid>? Pids { get; set; }

    /// <summary>OOM notifications the shim counted for the task (oom), or the cgroup's oom_kill counter (metrics).</summary>
    public ulong OomCount { get; set; }

    /// <summary>The cgroup statistics as <c>runc events --stats</c> data JSON (metrics).</summary>
    public string? Json { get; set; }

    /// <summary>The process's stdin path (state), so another host can attach to an exec's streams.</summary>
    public string? Stdin { get; set; }

    /// <summary>The process's stdout path or <c>file://</c> log (state).</summary>
    public string? Stdout { get; set; }

    /// <summary>The process's stderr path or <c>file://</c> log (state).</summary>
    public string? Stderr { get; set; }

    /// <summary>Whether the process runs on a pseudo-terminal (state).</summary>
    public bool Terminal { get; set; }

    /// <summary>
    /// The streams of every exec the shim still holds, running or exited (state of the init), so the host
    /// deleting the task can remove FIFOs of execs another host made.
    /// </summary>
    public List<ShimExecIO>? Execs { get; set; }

    /// <summary>
    /// Delete of the init: the shim exits after this answer and removes its directory (its last task is gone, and it
    /// was started for one task or created it with <see cref="ShimRequest.ExitWithTask"/>), so nobody need shut it down.
    /// </summary>
    public bool Exiting { get; set; }

    /// <summary>The shim's tasks (list).</summary>
    public List<ShimTaskRecord>? Tasks { get; set; }

    /// <summary>An error answer.</summary>
    public static ShimResponse Failure(string kind, string message) => new() { Error = kind, Message = message };
}
