namespace Containers.Client;

/// <summary>A process added to a running task with <see cref="ContainerTask.ExecAsync"/>; created, not started.</summary>
public sealed class ExecProcess : TaskProcess
{
    private readonly StdioFifos _stdio;

    internal ExecProcess(ContainerClient client, string containerId, string execId, StdioFifos stdio)
        : base(client, containerId, execId, 0, stdio)
        => _stdio = stdio;

    /// <summary>Starts the process; its streams are connected from now on.</summary>
    /// <returns>Its host pid.</returns>
    public override async Task<int> StartAsync(CancellationToken cancellationToken = default)
    {
        int pid = await base.StartAsync(cancellationToken).ConfigureAwait(false);
        // The shim opens an exec's FIFOs when it starts it.
        _stdio.Start(() => Client.Tasks.CloseIOAsync(ContainerId, ExecId));
        return pid;
    }
}
