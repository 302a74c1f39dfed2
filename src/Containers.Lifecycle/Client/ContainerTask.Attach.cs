using Containers.Tasks;

namespace Containers.Client;

/// <summary>Attaching to a running task's streams again.</summary>
public sealed partial class ContainerTask
{
    /// <summary>
    /// Connects <paramref name="io"/> to the running task's stdio FIFOs (their paths are in the shim's
    /// task state), as <c>ctr tasks attach</c> does — for example from a new host process, on a task
    /// found with <see cref="Container.LoadTaskAsync"/> after the process that created it exited.
    /// <see cref="ProcessIO.Stdout"/> receives the output written from now on (plus what waited in
    /// the FIFO while nobody read it, up to its 64 KiB), <see cref="ProcessIO.Stdin"/> is written on;
    /// its end detaches input without closing the process's (use <see cref="TaskProcess.CloseStdinAsync"/>).
    /// Disposing the attachment detaches: the task runs on, and a later attachment reads on.
    /// </summary>
    /// <param name="io">The streams to connect; a subset of those the task was created with. <see cref="ProcessIO.Terminal"/> is taken from the task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attachment; dispose it to detach.</returns>
    /// <exception cref="FailedPreconditionException">
    /// The task has no FIFO for a stream asked for (it was created without it, or writes to a log file),
    /// or it has exited.
    /// </exception>
    /// <exception cref="InvalidSpecException"><paramref name="io"/> names a log file, or stderr of a terminal task.</exception>
    /// <exception cref="NotFoundException">The container has no task.</exception>
    public async Task<TaskAttachment> AttachAsync(ProcessIO io, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        TaskState state = await StatusAsync(cancellationToken).ConfigureAwait(false);
        if (state.Status == ProcessStatus.Stopped)
        {
            throw new FailedPreconditionException($"task \"{ContainerId}\" has exited: there is nothing to attach to");
        }

        StdioFifos fifos = StdioFifos.Attach(state.IO, io);
        // The end of the caller's input detaches it; the process's input stays open for a later attachment.
        fifos.Start(static () => ValueTask.CompletedTask);
        return new TaskAttachment(ContainerId, state.IO.Terminal, fifos);
    }
}
