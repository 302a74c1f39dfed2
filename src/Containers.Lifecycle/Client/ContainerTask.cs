using System.Text.Json.Nodes;
using Containers.Lifecycle.Tasks;
using Containers.Metadata;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Tasks;

namespace Containers.Client;

/// <summary>
/// A container's task: its init process and what acts on the whole container (pause, resume, pids,
/// exec). Made by <see cref="Container.NewTaskAsync"/> (created, not started) or found again by
/// <see cref="Container.LoadTaskAsync"/>.
/// </summary>
public sealed partial class ContainerTask : TaskProcess
{
    internal ContainerTask(ContainerClient client, string containerId, int pid, StdioFifos? stdio)
        : base(client, containerId, null, pid, stdio)
    {
    }

    /// <summary>Freezes every process of the container.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.PauseAsync(ContainerId, cancellationToken).ConfigureAwait(false);

    /// <summary>Thaws the container.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.ResumeAsync(ContainerId, cancellationToken).ConfigureAwait(false);

    /// <summary>The container's processes (host pids; exec'd ones carry their exec id).</summary>
    public async Task<IReadOnlyList<ProcessInfo>> PidsAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.PidsAsync(ContainerId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Adds a process to the running container, as <c>ctr tasks exec</c> does: the container's process
    /// spec (user, capabilities, limits, environment) with <paramref name="args"/>, the options' environment
    /// and working directory, and a terminal of its own when <see cref="ProcessIO.Terminal"/> asks for one. The process is created, not started: call <see cref="TaskProcess.StartAsync"/>.
    /// </summary>
    /// <param name="execId">The process's id, unique in the task (containerd's identifier rule).</param>
    /// <param name="args">argv, starting with the program.</param>
    /// <param name="io">Where its streams go; <see cref="ProcessIO.Null"/> when <see langword="null"/>.</param>
    /// <param name="options">Environment and working directory.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidSpecException">The exec id or args are invalid.</exception>
    /// <exception cref="AlreadyExistsException">The task has a process with that exec id.</exception>
    public async Task<ExecProcess> ExecAsync(string execId, IReadOnlyList<string> args, ProcessIO? io = null, ExecOptions? options = null, CancellationToken cancellationToken = default)
    {
        Identifiers.Validate(execId, "execId");
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || string.IsNullOrEmpty(args[0]))
        {
            throw new InvalidSpecException("args", "an exec needs a program");
        }

        Container container = await Client.LoadContainerAsync(ContainerId, cancellationToken).ConfigureAwait(false);
        Spec spec = container.Spec;
        ProcessSpec process = spec.Process ?? throw new InvalidSpecException("process", $"container \"{ContainerId}\" has no process to exec from");
        process.Args = [.. args];
        process.Terminal = io?.Terminal ?? false;
        process.ConsoleSize = process.Terminal == true ? options?.ConsoleSize ?? process.ConsoleSize : null;
        if (options is not null)
        {
            process.Env = EnvMerge.ReplaceOrAppend(process.Env ?? [], options.Env);
            process.Cwd = options.Cwd ?? process.Cwd;
        }

        // The runtime-spec process object as the spec serialises it (no separate contract exists for it).
        byte[] json = System.Text.Encoding.UTF8.GetBytes(JsonNode.Parse(RuntimeSpecJson.Serialize(spec))!["process"]!.ToJsonString());
        StdioFifos stdio = StdioFifos.Create(Client.ExecFifoRoot(ContainerId), io ?? ProcessIO.Null);
        try
        {
            await Client.Tasks.ExecAsync(new TaskExecRequest(ContainerId, execId, json) { IO = stdio.TaskIO }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stdio.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ExecProcess(Client, ContainerId, execId, 0, stdio);
    }

    /// <summary>
    /// Returns a handle on a process exec'd in this task by any host (containerd's <c>task.LoadProcess</c>),
    /// for example after the application that made it restarted. Its streams are not attached:
    /// <see cref="TaskProcess.AttachAsync"/> connects them to its own FIFOs; its delete removes them.
    /// </summary>
    /// <param name="execId">The exec id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">The task has no process with that exec id.</exception>
    public async Task<ExecProcess> LoadProcessAsync(string execId, CancellationToken cancellationToken = default)
    {
        Identifiers.Validate(execId, "execId");
        TaskState state = await Client.Tasks.StateAsync(ContainerId, execId, cancellationToken).ConfigureAwait(false);
        return new ExecProcess(Client, ContainerId, execId, state.Pid, null);
    }

    /// <summary>
    /// Deletes the stopped task: its rootfs is unmounted, its bundle and FIFOs removed, with the FIFOs of
    /// its execs that were not deleted (also when another host made them, or the task's shim died: they are
    /// in the bundle). Returns the init's exit status.
    /// </summary>
    /// <remarks>
    /// Execs made by a client before session 16 have their FIFO directories under <c>State/fifo</c>: those are
    /// removed only while the shim still names them (a dead shim's stay there until the state directory is cleared).
    /// </remarks>
    /// <exception cref="FailedPreconditionException">The task is running.</exception>
    public override async Task<ExitStatus> DeleteAsync(CancellationToken cancellationToken = default)
    {
        // A handle from LoadTaskAsync did not make the FIFOs: the host that did may be gone, so their paths
        // are taken from the task's state; so are those of execs nobody deleted under State/fifo (made before
        // session 16: only the shim knows them; the bundle's execs directory goes with the bundle). A shim's
        // delete answer names the execs, and the init's paths are in its task record (read only for such a handle).
        TaskIO? fifos = null;
        IReadOnlyList<TaskIO> execs = [];
        ExitStatus status;
        if (Client.Tasks is ShimTaskService shims)
        {
            (status, fifos, execs) = await shims.DeleteWithStdioAsync(ContainerId, initStdio: !OwnsStdio, cancellationToken).ConfigureAwait(false);
            await EndStdioAsync().ConfigureAwait(false);
        }
        else
        {
            if (!OwnsStdio)
            {
                fifos = (await StatusAsync(cancellationToken).ConfigureAwait(false)).IO;
            }

            status = await base.DeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (fifos is not null)
        {
            StdioFifos.RemoveDirectoryOf(fifos, Client.FifoRoot);
        }

        foreach (TaskIO exec in execs)
        {
            StdioFifos.RemoveDirectoryOf(exec, Client.FifoRoot);
        }

        BundleFiles.Delete(Client.BundleDirectory(ContainerId));
        return status;
    }
}
