using Containers.Oci.Runtime;

namespace Containers.Runtime;

/// <summary>
/// An OCI runtime: creates and controls containers from bundles, with the verbs of <c>runc</c>. The
/// process and resource documents are passed as raw runtime-spec JSON so this contract does not tie
/// callers to one version of the spec model.
/// </summary>
/// <remarks>
/// Container ids must match <c>^[\w+-\.]+$</c>. Every method fails with <see cref="NotFoundException"/>
/// when no container has the id, except <see cref="CreateAsync"/> and <see cref="ListAsync"/>.
/// </remarks>
public interface IContainerRuntime
{
    /// <summary>
    /// Creates a container from a bundle and leaves its init process waiting before the user
    /// program (<c>runc create</c>); <see cref="StartAsync"/> releases it.
    /// </summary>
    /// <param name="id">The new container id.</param>
    /// <param name="bundle">The bundle directory: <c>config.json</c> and, usually, <c>rootfs</c>.</param>
    /// <param name="options">Create options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the creation; a cancelled creation leaves nothing behind.</param>
    /// <exception cref="AlreadyExistsException">A container with that id exists.</exception>
    /// <exception cref="InvalidSpecException">The bundle's <c>config.json</c> is invalid (the JSON path says where).</exception>
    /// <exception cref="UnsupportedException">The spec asks for something this host or runtime cannot do.</exception>
    ValueTask CreateAsync(string id, string bundle, ContainerCreateOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Runs the user program of a created container (<c>runc start</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The container is not in the <c>created</c> state.</exception>
    ValueTask StartAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Returns the runtime-spec state of a container (<c>runc state</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<State> StateAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Sends a signal to the container's init, or to all its processes (<c>runc kill</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="signal">The signal number, for example 15 for SIGTERM.</param>
    /// <param name="all">Signal every process of the container, not only init (<c>--all</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The container is not running, created or paused.</exception>
    ValueTask KillAsync(string id, int signal, bool all = false, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stopped container and its state (<c>runc delete</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="force">Kill a running container first (<c>--force</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The container is running and <paramref name="force"/> is not set.</exception>
    ValueTask DeleteAsync(string id, bool force = false, CancellationToken cancellationToken = default);

    /// <summary>Starts another process in a running container (<c>runc exec --process</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="processJson">A runtime-spec <c>process</c> object as UTF-8 JSON.</param>
    /// <param name="options">Exec options, or <see langword="null"/> for defaults.</param>
    /// <param name="cancellationToken">Cancels the start (not the process once started).</param>
    /// <returns>The host pid of the new process.</returns>
    /// <exception cref="InvalidSpecException">The process JSON is invalid.</exception>
    /// <exception cref="FailedPreconditionException">The container is not running.</exception>
    ValueTask<int> ExecAsync(string id, ReadOnlyMemory<byte> processJson, ContainerExecOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Freezes every process of the container (<c>runc pause</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The container is not running.</exception>
    ValueTask PauseAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Thaws a paused container (<c>runc resume</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="FailedPreconditionException">The container is not paused.</exception>
    ValueTask ResumeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Changes the resource limits of a container (<c>runc update -r</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="resourcesJson">A runtime-spec <c>linux.resources</c> object as UTF-8 JSON.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="InvalidSpecException">The resources JSON is invalid.</exception>
    /// <exception cref="UnsupportedException">A limit needs a cgroup controller this host lacks.</exception>
    ValueTask UpdateAsync(string id, ReadOnlyMemory<byte> resourcesJson, CancellationToken cancellationToken = default);

    /// <summary>Samples the resource use of a container (<c>runc events --stats</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<ContainerStats> StatsAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Returns the host pids of every process of the container (<c>runc ps</c>).</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<IReadOnlyList<int>> PsAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists the states of every container this runtime knows (<c>runc list</c>).</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    IAsyncEnumerable<State> ListAsync(CancellationToken cancellationToken = default);
}
