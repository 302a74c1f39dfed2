namespace Containers.Linux.Supervision;

/// <summary>
/// One call to a shim's task API (docs/shim-protocol.md). A flat message: each operation reads the
/// fields it needs and ignores the rest, which keeps the protocol one JSON object per frame.
/// </summary>
internal sealed class ShimRequest
{
    /// <summary>The operation, one of <see cref="ShimOps"/>.</summary>
    public string Op { get; set; } = string.Empty;

    /// <summary>The container (task) id.</summary>
    public string? Id { get; set; }

    /// <summary>The exec id, or <see langword="null"/> for the init process.</summary>
    public string? ExecId { get; set; }

    /// <summary>The namespace the host keeps the container in (create; recorded for recovery).</summary>
    public string? Namespace { get; set; }

    /// <summary>The bundle directory (create).</summary>
    public string? Bundle { get; set; }

    /// <summary>The runc-compatible runtime binary (create); the shim's own executable when absent.</summary>
    public string? Runtime { get; set; }

    /// <summary>The stdin FIFO path (create, exec).</summary>
    public string? Stdin { get; set; }

    /// <summary>The stdout FIFO path or <c>file://</c> log path (create, exec).</summary>
    public string? Stdout { get; set; }

    /// <summary>The stderr FIFO path or <c>file://</c> log path (create, exec).</summary>
    public string? Stderr { get; set; }

    /// <summary>The signal number (kill).</summary>
    public int Signal { get; set; }

    /// <summary>Signal every process of the container (kill).</summary>
    public bool All { get; set; }

    /// <summary>Run the process on a pseudo-terminal whose master the shim holds (create, exec).</summary>
    public bool Terminal { get; set; }

    /// <summary>The terminal's new width in columns (resizePty).</summary>
    public int Width { get; set; }

    /// <summary>The terminal's new height in rows (resizePty).</summary>
    public int Height { get; set; }

    /// <summary>The OOM count the host has seen (oom): the answer comes when the shim's count is higher, or the task stopped.</summary>
    public ulong After { get; set; }

    /// <summary>A runtime-spec process object (exec) or linux.resources object (update), as JSON text.</summary>
    public string? Json { get; set; }

    /// <summary>
    /// Create only: start the init as soon as it is created, in the same call (runc's <c>run</c>); the answer's
    /// <c>status</c> says it was started. A start that fails deletes the task again, so the create fails whole.
    /// </summary>
    public bool Start { get; set; }

    /// <summary>
    /// Create only: once this task is deleted and the shim has no other, the shim exits, as a shim started for one
    /// task does, although it was started with an idle exit (a spare shim the host started ahead of this task).
    /// A shim before session 20 ignores the field, and its delete answer lacks <see cref="ShimResponse.Exiting"/>.
    /// </summary>
    public bool ExitWithTask { get; set; }
}
