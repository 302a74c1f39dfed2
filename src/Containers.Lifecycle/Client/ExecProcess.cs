using Containers.Tasks;

namespace Containers.Client;

/// <summary>
/// A process added to a running task with <see cref="ContainerTask.ExecAsync"/> (created, not started), or
/// found again with <see cref="ContainerTask.LoadProcessAsync"/> (its streams then reached through
/// <see cref="TaskProcess.AttachAsync"/>).
/// </summary>
public sealed class ExecProcess : TaskProcess
{
    private readonly StdioFifos? _stdio;

    internal ExecProcess(ContainerClient client, string containerId, string execId, int pid, StdioFifos? stdio)
        : base(client, containerId, execId, pid, stdio)
        => _stdio = stdio;

    /// <summary>Starts the process; its streams are connected from now on.</summary>
    /// <returns>Its host pid.</returns>
    public override async Task<int> StartAsync(CancellationToken cancellationToken = default)
    {
        int pid = await base.StartAsync(cancellationToken).ConfigureAwait(false);
        // The shim opens an exec's FIFOs when it starts it.
        _stdio?.Start(() => Client.Tasks.CloseIOAsync(ContainerId, ExecId));
        return pid;
    }

    /// <summary>Deletes the stopped process and returns its exit status; its FIFOs are removed, also when another host made them.</summary>
    /// <exception cref="FailedPreconditionException">The process is running.</exception>
    public override async Task<ExitStatus> DeleteAsync(CancellationToken cancellationToken = default)
    {
        // A loaded handle did not make the FIFOs: their paths are taken from the shim before the delete forgets them.
        TaskIO? fifos = OwnsStdio ? null : (await StatusAsync(cancellationToken).ConfigureAwait(false)).IO;
        ExitStatus status = await base.DeleteAsync(cancellationToken).ConfigureAwait(false);
        if (fifos is not null)
        {
            // In the task's bundle, or (an exec made before session 16) under State/fifo.
            StdioFifos.RemoveDirectoryOf(fifos, Path.Combine(Client.BundleDirectory(ContainerId), BundleFiles.ExecFifos));
            StdioFifos.RemoveDirectoryOf(fifos, Client.FifoRoot);
        }

        return status;
    }
}
