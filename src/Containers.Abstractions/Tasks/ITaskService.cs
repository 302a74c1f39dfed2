using Containers.Runtime;

namespace Containers.Tasks;

/// <summary>
/// Runs containers as tasks through a shim, as containerd's task API does: the shim creates the
/// container with the OCI runtime, holds its stdio, reaps it, and keeps running when the host
/// application restarts. A task is the container's init process plus any processes exec'd into it;
/// methods that take an <c>execId</c> address the init process when it is <see langword="null"/>.
/// </summary>
/// <remarks>
/// Every method fails with <see cref="NotFoundException"/> when there is no task (or exec) with the
/// given ids, except <see cref="CreateAsync"/>.
/// </remarks>
public interface ITaskService
{
    /// <summary>Creates a container's task; its init process waits to be started.</summary>
    /// <param name="request">The container id, bundle, rootfs mounts and stdio.</param>
    /// <param name="cancellationToken">Cancels the creation; a cancelled creation leaves nothing behind.</param>
    /// <returns>The host pid of the init process.</returns>
    /// <exception cref="AlreadyExistsException">The container has a task already.</exception>
    /// <exception cref="InvalidSpecException">The bundle's <c>config.json</c> is invalid.</exception>
    ValueTask<int> CreateAsync(TaskCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts the init process or an exec'd process.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The host pid of the started process.</returns>
    /// <exception cref="FailedPreconditionException">The process is not in the created state.</exception>
    ValueTask<int> StartAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal to a process of the task.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="signal">The signal number.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="all">Signal every process of the container (init only).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The process has exited.</exception>
    ValueTask KillAsync(string containerId, int signal, string? execId = null, bool all = false, CancellationToken cancellationToken = default);

    /// <summary>Waits until a process exits and returns how it ended; returns at once if it has.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="cancellationToken">Stops waiting; the process is not affected.</param>
    ValueTask<ExitStatus> WaitAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stopped task (and the container in the OCI runtime), or an exited exec'd process.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for the whole task.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How the process ended.</returns>
    /// <exception cref="FailedPreconditionException">The process is still running.</exception>
    ValueTask<ExitStatus> DeleteAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default);

    /// <summary>Adds a process to a running task; start it with <see cref="StartAsync"/>.</summary>
    /// <param name="request">The container id, exec id, process JSON and stdio.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="AlreadyExistsException">The task has a process with that exec id.</exception>
    /// <exception cref="InvalidSpecException">The process JSON is invalid.</exception>
    /// <exception cref="FailedPreconditionException">The task is not running.</exception>
    ValueTask ExecAsync(TaskExecRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists every process of the task, exec'd ones marked with their exec id.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<IReadOnlyList<ProcessInfo>> PidsAsync(string containerId, CancellationToken cancellationToken = default);

    /// <summary>Freezes every process of the task.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The task is not running.</exception>
    ValueTask PauseAsync(string containerId, CancellationToken cancellationToken = default);

    /// <summary>Thaws a paused task.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The task is not paused.</exception>
    ValueTask ResumeAsync(string containerId, CancellationToken cancellationToken = default);

    /// <summary>Changes the task's resource limits and annotations.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="resourcesJson">A runtime-spec <c>linux.resources</c> object as UTF-8 JSON.</param>
    /// <param name="annotations">Annotations to set, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="InvalidSpecException">The resources JSON is invalid.</exception>
    ValueTask UpdateAsync(string containerId, ReadOnlyMemory<byte> resourcesJson, IReadOnlyDictionary<string, string>? annotations = null, CancellationToken cancellationToken = default);

    /// <summary>Samples the task's resource use.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<ContainerStats> MetricsAsync(string containerId, CancellationToken cancellationToken = default);

    /// <summary>Closes a process's stdin so it reads end-of-file.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask CloseIOAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default);

    /// <summary>Resizes the pseudo-terminal of a process.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="width">Columns.</param>
    /// <param name="height">Rows.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The process has no terminal.</exception>
    ValueTask ResizePtyAsync(string containerId, string? execId, int width, int height, CancellationToken cancellationToken = default);

    /// <summary>Returns the state of the init process or of an exec'd process.</summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="execId">The exec id, or <see langword="null"/> for init.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<TaskState> StateAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default);
}
