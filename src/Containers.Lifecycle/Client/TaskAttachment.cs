namespace Containers.Client;

/// <summary>
/// Streams connected to a running task by <see cref="TaskProcess.AttachAsync"/>. Disposing it
/// detaches: the copies stop at once and the task runs on; its FIFOs stay for a later attachment and
/// are removed with the task.
/// </summary>
public sealed class TaskAttachment : IAsyncDisposable
{
    private readonly StdioFifos _fifos;
    private int _disposed;

    internal TaskAttachment(string containerId, bool terminal, StdioFifos fifos)
    {
        ContainerId = containerId;
        Terminal = terminal;
        _fifos = fifos;
    }

    /// <summary>The task's container id.</summary>
    public string ContainerId { get; }

    /// <summary>The exec id of the attached process, or <see langword="null"/> for the task's init.</summary>
    public string? ExecId { get; init; }

    /// <summary>Whether the task runs on a terminal (its output is the terminal's; resize it with <see cref="TaskProcess.ResizeAsync"/>).</summary>
    public bool Terminal { get; }

    /// <summary>
    /// Waits until the attached output reached end of file: the task exited (or was deleted) and its
    /// output was copied. Returns at once when no output stream was attached.
    /// </summary>
    public async Task WaitOutputEndedAsync(CancellationToken cancellationToken = default)
        => _ = await _fifos.OutputEndedAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);

    /// <summary>Detaches (see the class remarks).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _fifos.DisposeAsync().ConfigureAwait(false);
        }
    }
}
