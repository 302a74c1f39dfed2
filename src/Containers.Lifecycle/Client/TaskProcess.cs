using Containers.Tasks;

namespace Containers.Client;

/// <summary>A process of a task, the init (<see cref="ContainerTask"/>) or an exec'd one (<see cref="ExecProcess"/>): start, signal, wait, delete.</summary>
public abstract class TaskProcess
{
    /// <summary>How long a wait gives the output copies to reach end of file after the exit, before it returns anyway.</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);
    private readonly StdioFifos? _stdio;

    private protected TaskProcess(ContainerClient client, string containerId, string? execId, int pid, StdioFifos? stdio)
    {
        Client = client;
        ContainerId = containerId;
        ExecId = execId;
        Pid = pid;
        _stdio = stdio;
    }

    /// <summary>The container id (also the task's id).</summary>
    public string ContainerId { get; }

    /// <summary>The exec id, or <see langword="null"/> for the init process.</summary>
    public string? ExecId { get; }

    /// <summary>The host pid, once created (init) or started (exec); 0 before.</summary>
    public int Pid { get; private protected set; }

    private protected ContainerClient Client { get; }

    /// <summary>Whether this handle made the process's streams (it removes their FIFOs at the delete).</summary>
    private protected bool OwnsStdio => _stdio is not null;

    /// <summary>Sets the size of the process's terminal (TIOCSWINSZ on the pty master the shim holds; the process gets SIGWINCH).</summary>
    /// <param name="columns">Columns, 1 to 65535.</param>
    /// <param name="rows">Rows, 1 to 65535.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidSpecException">A size is out of range.</exception>
    /// <exception cref="FailedPreconditionException">The process has no terminal, or has exited.</exception>
    public async Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default)
        => await Client.Tasks.ResizePtyAsync(ContainerId, ExecId, columns, rows, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Connects <paramref name="io"/> to the running process's stdio FIFOs (their paths are in the shim's
    /// state of the process: the init's or an exec's own), as <c>ctr tasks attach</c> and containerd's
    /// <c>LoadProcess(execID, cio.NewAttach(…))</c> do — for example from a new host process, on a task
    /// found with <see cref="Container.LoadTaskAsync"/> or an exec found with
    /// <see cref="ContainerTask.LoadProcessAsync"/> after the process that created it exited.
    /// <see cref="ProcessIO.Stdout"/> receives the output written from now on (plus, for the first
    /// attachment of this host process, all that was written while nobody read it: nothing is dropped — once
    /// the FIFO (64 KiB) and what the shim holds back (one more 64 KiB) are full, the process blocks in its
    /// writes until a reader comes, as with containerd). <see cref="ProcessIO.Stdin"/> is written on; its end
    /// detaches input without closing the process's (use <see cref="CloseStdinAsync"/>). Several attachments
    /// at once in this host process each receive all of the output written while they are attached, every
    /// attachment's input goes in, and one that falls more than <see cref="TaskAttachment.MaxPendingOutputBytes"/>
    /// behind is detached with an error (see <see cref="TaskAttachment"/>). Disposing the attachment detaches:
    /// the process runs on, and a later attachment reads on. An exited (not yet deleted) process can be
    /// attached for output only: the attachment reads what is left, then end of file.
    /// </summary>
    /// <param name="io">The streams to connect; a subset of those the process was created with. <see cref="ProcessIO.Terminal"/> is taken from the process.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The attachment; dispose it to detach.</returns>
    /// <exception cref="FailedPreconditionException">
    /// The process has no FIFO for a stream asked for (it was created without it, or writes to a log file),
    /// or it has exited and <paramref name="io"/> asks for stdin or names no output FIFO.
    /// </exception>
    /// <exception cref="InvalidSpecException"><paramref name="io"/> names a log file, or stderr of a terminal process.</exception>
    /// <exception cref="NotFoundException">The container has no task, or the task no such exec.</exception>
    public async Task<TaskAttachment> AttachAsync(ProcessIO io, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(io);
        TaskState state = await StatusAsync(cancellationToken).ConfigureAwait(false);
        // An exited process's output may still wait (in its FIFO, and held back in the shim): it can be
        // read to its end; its input is gone.
        if (state.Status == ProcessStatus.Stopped && (io.Stdin is not null || !HasOutputFifo(state.IO, io)))
        {
            throw new FailedPreconditionException(ExecId is null
                ? $"task \"{ContainerId}\" has exited: there is nothing to attach to"
                : $"exec \"{ExecId}\" of task \"{ContainerId}\" has exited: there is nothing to attach to");
        }

        return TaskAttachment.Open(ContainerId, ExecId, state.IO, io);
    }

    private static bool HasOutputFifo(TaskIO existing, ProcessIO io)
        => (io.Stdout is not null || io.Stderr is not null)
            && (io.Stdout is null || IsFifo(existing.Stdout)) && (io.Stderr is null || IsFifo(existing.Stderr));

    private static bool IsFifo(string? path) => path is not null && !path.StartsWith("file://", StringComparison.Ordinal) && File.Exists(path);

    /// <summary>
    /// Ends the process's input: what was written is delivered, then it reads end of file (with a
    /// terminal, input stops; no EOF character is typed, as with containerd). Streams given as
    /// <see cref="ProcessIO.Stdin"/> do this themselves at their end.
    /// </summary>
    public async Task CloseStdinAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.CloseIOAsync(ContainerId, ExecId, cancellationToken).ConfigureAwait(false);

    /// <summary>Starts the process.</summary>
    /// <returns>Its host pid.</returns>
    /// <exception cref="FailedPreconditionException">It was started already, or its shim is gone.</exception>
    public virtual async Task<int> StartAsync(CancellationToken cancellationToken = default)
    {
        Pid = await Client.Tasks.StartAsync(ContainerId, ExecId, cancellationToken).ConfigureAwait(false);
        return Pid;
    }

    /// <summary>Sends a signal to the process (for the init with <paramref name="all"/>: to every process of the container).</summary>
    /// <param name="signal">The signal number, for example 15 (SIGTERM) or 9 (SIGKILL).</param>
    /// <param name="all">For the init: signal every process of the container.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task KillAsync(int signal, bool all = false, CancellationToken cancellationToken = default)
        => await Client.Tasks.KillAsync(ContainerId, signal, ExecId, all, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Waits for the process to exit and returns its status (128 + the signal when killed; a failure
    /// status when its shim died). Output streams given at creation have then received what the
    /// process wrote (the copies are given a few seconds to reach end of file, since a process's
    /// children may keep its output open; the rest arrives until the delete).
    /// </summary>
    public async Task<ExitStatus> WaitAsync(CancellationToken cancellationToken = default)
    {
        ExitStatus status = await Client.Tasks.WaitAsync(ContainerId, ExecId, cancellationToken).ConfigureAwait(false);
        if (_stdio is not null && !await _stdio.OutputEndedAsync(OutputGrace, cancellationToken).ConfigureAwait(false))
        {
            ContainerClientLog.OutputStillOpen(Client.Logger, ContainerId, ExecId, (int)OutputGrace.TotalSeconds);
        }

        return status;
    }

    /// <summary>The process's state.</summary>
    public async Task<TaskState> StatusAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.StateAsync(ContainerId, ExecId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Deletes the stopped process and returns its exit status; its output copies end and its FIFOs
    /// are removed. For the init this is the task's delete (its rootfs is unmounted and its bundle removed).
    /// </summary>
    /// <exception cref="FailedPreconditionException">The process is running.</exception>
    public virtual async Task<ExitStatus> DeleteAsync(CancellationToken cancellationToken = default)
    {
        ExitStatus status = await Client.Tasks.DeleteAsync(ContainerId, ExecId, cancellationToken).ConfigureAwait(false);
        await EndStdioAsync().ConfigureAwait(false);
        return status;
    }

    /// <summary>After the delete: the shim closed the FIFOs with the process, so the copies end once they have read what is left.</summary>
    private protected async ValueTask EndStdioAsync()
    {
        if (_stdio is not null)
        {
            await _stdio.DisposeAsync().ConfigureAwait(false);
        }
    }
}
