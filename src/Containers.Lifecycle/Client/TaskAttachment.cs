using Containers.Tasks;

namespace Containers.Client;

/// <summary>
/// Streams connected to a running process by <see cref="TaskProcess.AttachAsync"/>. Disposing it
/// detaches: the copies stop at once and the process runs on; its FIFOs stay for a later attachment and
/// are removed with the process.
/// </summary>
/// <remarks>
/// <para>
/// <b>Several attachments at once</b> (in one host process, from any of its <see cref="ContainerClient"/>s): each
/// output stream of a process has one reader in the host, which hands every chunk to each attachment of that stream,
/// so each receives all of the output written while it is attached, in order, as with <c>ctr tasks attach</c> run
/// twice against one host. A later attachment starts with the output written from its attach on; what waited in the
/// FIFO while nobody read it goes to the attachments present when the reader starts (the first one).
/// </para>
/// <para>
/// <b>A slow attachment</b>: output read for an attachment waits in its own queue, at most
/// <see cref="MaxPendingOutputBytes"/> per stream (the write in progress included). A caller's stream that falls
/// further behind is detached from that stream — its copy ends, <see cref="WaitOutputEndedAsync"/> throws
/// <see cref="AttachmentOverrunException"/> — so it never holds back the other attachments nor the process, and
/// never silently misses bytes in the middle of what it received.
/// </para>
/// <para>
/// <b>Input</b>: every attachment given <see cref="ProcessIO.Stdin"/> writes to the process's stdin, as a terminal
/// multiplexer does; inputs of concurrent attachments interleave per write (a write of up to 4096 bytes, PIPE_BUF,
/// is never split).
/// </para>
/// <para>
/// Not shared: streams given at the process's creation (<see cref="Container.NewTaskAsync"/>,
/// <see cref="ContainerTask.ExecAsync"/>) are read by the process's own copy, beside any attachment — attach to a
/// process created with <see cref="ProcessIO.Unattached"/> to fan out. Two host processes are two readers of the
/// one FIFO per stream the shim writes to, and each read goes to one of them.
/// </para>
/// </remarks>
public sealed class TaskAttachment : IAsyncDisposable
{
    /// <summary>Bytes of one output stream read for an attachment and not yet written to its stream (1 MiB) before it is detached with <see cref="AttachmentOverrunException"/>.</summary>
    public const int MaxPendingOutputBytes = 1 << 20;

    private readonly StdioFifos _input;
    private readonly OutputSubscription[] _outputs;
    private int _disposed;

    private TaskAttachment(string containerId, bool terminal, StdioFifos input, OutputSubscription[] outputs)
    {
        ContainerId = containerId;
        Terminal = terminal;
        _input = input;
        _outputs = outputs;
    }

    /// <summary>The task's container id.</summary>
    public string ContainerId { get; }

    /// <summary>The exec id of the attached process, or <see langword="null"/> for the task's init.</summary>
    public string? ExecId { get; init; }

    /// <summary>Whether the task runs on a terminal (its output is the terminal's; resize it with <see cref="TaskProcess.ResizeAsync"/>).</summary>
    public bool Terminal { get; }

    /// <summary>
    /// Waits until the attached output reached end of file: the process exited (or was deleted) and its
    /// output was copied. Returns at once when no output stream was attached, or once this attachment was disposed.
    /// </summary>
    /// <exception cref="AttachmentOverrunException">An output stream fell behind and was detached (see the class remarks).</exception>
    public async Task WaitOutputEndedAsync(CancellationToken cancellationToken = default)
        => await Task.WhenAll(_outputs.Select(o => o.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Detaches (see the class remarks): output read for this attachment and not yet written is not written; no write reaches its streams after this returns, unless one is stalled in a write (waited for 1 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (OutputSubscription output in _outputs)
            {
                output.Detach();
            }

            try
            {
                // No write reaches the caller's streams after this returns — unless one of them is stalled in a
                // write, which is let go rather than hold the dispose (its thread ends once that write returns).
                await Task.WhenAll(_outputs.Select(o => o.WriterExited)).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            await _input.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Connects <paramref name="io"/> to the FIFOs of a running process (<paramref name="existing"/>, from the shim's state).</summary>
    /// <exception cref="FailedPreconditionException">The process has no FIFO for a stream asked for (none, or a log file), or it is gone.</exception>
    /// <exception cref="InvalidSpecException"><paramref name="io"/> names a log file, or stderr of a terminal process.</exception>
    internal static TaskAttachment Open(string containerId, string? execId, TaskIO existing, ProcessIO io)
    {
        if (io.LogFile is not null || (existing.Terminal && io.Stderr is not null))
        {
            throw new InvalidSpecException(io.LogFile is not null ? "io.logFile" : "io.stderr", "an attachment reads the process's FIFOs (a terminal has no stderr)");
        }

        // Checked before anything is connected, so a refusal leaves nothing behind.
        string? stdout = io.Stdout is null ? null : StdioFifos.AttachablePath(existing.Stdout, "stdout");
        string? stderr = io.Stderr is null ? null : StdioFifos.AttachablePath(existing.Stderr, "stderr");
        StdioFifos input = StdioFifos.AttachInput(existing, io.Stdin);
        List<OutputSubscription> outputs = [];
        try
        {
            if (stdout is not null)
            {
                outputs.Add(OutputFanOut.Subscribe(stdout, io.Stdout!, "stdout"));
            }

            if (stderr is not null)
            {
                outputs.Add(OutputFanOut.Subscribe(stderr, io.Stderr!, "stderr"));
            }
        }
        catch
        {
            outputs.ForEach(o => o.Detach());
            throw;
        }

        // The end of the caller's input detaches it; the process's input stays open for a later attachment.
        input.Start(static () => ValueTask.CompletedTask);
        return new TaskAttachment(containerId, existing.Terminal, input, [.. outputs]) { ExecId = execId };
    }
}
