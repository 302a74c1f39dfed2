namespace Containers.Tasks;

/// <summary>
/// Where a task's or exec'd process's standard streams go: paths (usually FIFOs) that the shim opens,
/// as containerd passes them. A <see langword="null"/> path means the stream is not connected.
/// </summary>
public sealed record TaskIO
{
    /// <summary>No streams connected.</summary>
    public static TaskIO None { get; } = new();

    /// <summary>The path the process's stdin is read from.</summary>
    public string? Stdin { get; init; }

    /// <summary>
    /// The path the process's stdout is written to: a FIFO, or a <c>file://</c> URI naming a log file
    /// the shim appends to (log-file mode: output is kept while no host is attached).
    /// </summary>
    public string? Stdout { get; init; }

    /// <summary>The path the process's stderr is written to (a FIFO or a <c>file://</c> log file); ignored with <see cref="Terminal"/>.</summary>
    public string? Stderr { get; init; }

    /// <summary>Whether the process runs on a pseudo-terminal (stdout and stderr merged).</summary>
    public bool Terminal { get; init; }
}
