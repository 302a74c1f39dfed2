namespace Containers.Linux.Supervision;

/// <summary>
/// The streams of one exec of a task, as the init's <c>state</c> answer lists them: a host deleting the
/// task learns the FIFOs of execs nobody deleted (their host may be gone) before the shim forgets them.
/// </summary>
internal sealed class ShimExecIO
{
    /// <summary>The exec id.</summary>
    public string? ExecId { get; set; }

    /// <summary>The exec's stdin path, or <see langword="null"/>.</summary>
    public string? Stdin { get; set; }

    /// <summary>The exec's stdout path or <c>file://</c> log.</summary>
    public string? Stdout { get; set; }

    /// <summary>The exec's stderr path or <c>file://</c> log.</summary>
    public string? Stderr { get; set; }

    /// <summary>Whether the exec runs on a pseudo-terminal.</summary>
    public bool Terminal { get; set; }
}
