namespace Containers.Linux.Supervision;

/// <summary>
/// What the shim knows about one task: written to <c>tasks/&lt;id&gt;/task.json</c> at create (so a
/// host can name the tasks of a shim that died) and returned by the list operation.
/// </summary>
internal sealed class ShimTaskRecord
{
    /// <summary>The host's namespace of the container.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>The container id.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The bundle directory.</summary>
    public string Bundle { get; set; } = string.Empty;

    /// <summary>The runtime binary (runcs itself for a task the shim drives in-process).</summary>
    public string Runtime { get; set; } = string.Empty;

    /// <summary>The shim runs the runtime's verbs in its own process (runcs's engine), not as <see cref="Runtime"/> processes.</summary>
    public bool InProcess { get; set; }

    /// <summary>The stdin path, if any.</summary>
    public string? Stdin { get; set; }

    /// <summary>The stdout path, if any.</summary>
    public string? Stdout { get; set; }

    /// <summary>The stderr path, if any.</summary>
    public string? Stderr { get; set; }

    /// <summary>Whether the init runs on a pseudo-terminal (its output comes on <see cref="Stdout"/>).</summary>
    public bool Terminal { get; set; }

    /// <summary>The init process's host pid (list only).</summary>
    public int Pid { get; set; }

    /// <summary>The init process's state (list only).</summary>
    public string? Status { get; set; }
}
