using Containers.Lifecycle.Tasks;
using Containers.Metadata;
using Containers.Oci.Runtime;
using Containers.Snapshots.Mounting;
using Containers.Tasks;
using Mount = Containers.Mounts.Mount;

namespace Containers.Client;

/// <summary>
/// A handle on a container record of a <see cref="ContainerClient"/>: make its task, find its running
/// task again, or delete it (with its snapshot).
/// </summary>
public sealed class Container
{
    private readonly ContainerClient _client;

    internal Container(ContainerClient client, ContainerRecord record)
    {
        _client = client;
        Record = record;
    }

    /// <summary>The container id.</summary>
    public string Id => Record.Id;

    /// <summary>The record as it was when the handle was made.</summary>
    public ContainerRecord Record { get; }

    /// <summary>The container's spec.</summary>
    public Spec Spec => RuntimeSpecJson.ParseSpec(Record.Spec.Span);

    /// <summary>
    /// Creates the container's task, as containerd's <c>container.NewTask</c> does: a bundle in
    /// <c>&lt;State&gt;/bundles/&lt;namespace&gt;/&lt;id&gt;</c> with the spec as <c>config.json</c> (written while the
    /// bundle is locked, before anyone is given it), the snapshot's mounts performed at its <c>rootfs</c> by the
    /// task service, and a shim asked to create the init process (created, not started). A failure
    /// leaves no bundle, mount, FIFO or shim.
    /// </summary>
    /// <param name="io">Where the init's streams go; <see cref="ProcessIO.Null"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The task, created.</returns>
    /// <remarks>
    /// A bundle left by a host that died (no task exists for it) is removed first, its rootfs unmounted
    /// if it was still mounted; concurrent creates of one container's task are serialised by an flock on the bundle directory.
    /// </remarks>
    /// <exception cref="AlreadyExistsException">The container has a task.</exception>
    /// <exception cref="InvalidSpecException"><see cref="ProcessIO.Terminal"/> disagrees with the spec's process.terminal.</exception>
    /// <exception cref="FailedPreconditionException">The container has no snapshot, or another process is creating its task.</exception>
    public Task<ContainerTask> NewTaskAsync(ProcessIO? io = null, CancellationToken cancellationToken = default)
        => NewTaskCoreAsync(io, start: false, ephemeral: false, cancellationToken);

    /// <summary>
    /// <see cref="NewTaskAsync(ProcessIO?, CancellationToken)"/>, and with <paramref name="start"/> the init is started in the
    /// same call to the shim (one round trip fewer; the task's events are the same). With <paramref name="ephemeral"/>
    /// (a container deleted with its task, as <c>ContainerClient.RunAsync</c>
    /// deletes it) an overlay rootfs is mounted <see cref="MountHelper.VolatileOption"/>: its unmount does not sync the
    /// whole file system that holds the snapshots (~1 ms quiet, far more when other writers keep it busy), whose
    /// upper directory is removed right after.
    /// </summary>
    internal async Task<ContainerTask> NewTaskCoreAsync(ProcessIO? io, bool start, bool ephemeral, CancellationToken cancellationToken)
    {
        if (Record.SnapshotKey is null)
        {
            throw new FailedPreconditionException($"container \"{Id}\" has no snapshot to make a rootfs from");
        }

        if ((io?.Terminal ?? false) != (Spec.Process?.Terminal ?? false))
        {
            throw new InvalidSpecException("process.terminal", $"container \"{Id}\" has terminal {Spec.Process?.Terminal ?? false} in its spec (SpecOptions.WithTty()), the task's io asks for {io?.Terminal ?? false}");
        }

        IReadOnlyList<Mount> rootfs = await _client.SnapshotterOf(Record).MountsAsync(Record.SnapshotKey, cancellationToken).ConfigureAwait(false);
        if (ephemeral)
        {
            rootfs = MountHelper.WithVolatileUpper(rootfs);
        }

        string bundle = _client.BundleDirectory(Id);
        using BundleGuard guard = await BundleGuard.CreateAsync(_client, Id, bundle, Record.Spec, RemappedRootGroup(Spec), cancellationToken).ConfigureAwait(false);
        StdioFifos? fifos = null;
        try
        {
            fifos = StdioFifos.CreateIn(bundle, io ?? ProcessIO.Null);
            TaskCreateRequest request = new(Id, bundle)
            {
                Rootfs = rootfs,
                IO = fifos.TaskIO,
                Options = Record.Runtime.Options,
            };
            int pid;
            if (!start)
            {
                pid = await _client.Tasks.CreateAsync(request, cancellationToken).ConfigureAwait(false);
            }
            else if (_client.Tasks is ShimTaskService shims)
            {
                pid = await shims.CreateStartedAsync(request, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                pid = await _client.Tasks.CreateAsync(request, cancellationToken).ConfigureAwait(false);
                try
                {
                    pid = await _client.Tasks.StartAsync(Id, null, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _ = await _client.Tasks.DeleteAsync(Id, null, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }

            fifos.Start(() => _client.Tasks.CloseIOAsync(Id));
            ContainerClientLog.TaskCreated(_client.Logger, Id, pid, bundle);
            return new ContainerTask(_client, Id, pid, fifos);
        }
        catch
        {
            if (fifos is not null)
            {
                await fifos.DisposeAsync().ConfigureAwait(false);
            }

            BundleFiles.Delete(bundle);
            throw;
        }
    }

    /// <summary>
    /// Returns a handle on the container's existing task, for example one started before the
    /// application restarted. Its streams are not attached: <see cref="TaskProcess.AttachAsync"/>
    /// connects them again (log-file output stays in its file).
    /// </summary>
    /// <exception cref="NotFoundException">The container has no task.</exception>
    public async Task<ContainerTask> LoadTaskAsync(CancellationToken cancellationToken = default)
    {
        TaskState state = await _client.Tasks.StateAsync(Id, null, cancellationToken).ConfigureAwait(false);
        return new ContainerTask(_client, Id, state.Pid, null);
    }

    /// <summary>
    /// Deletes the container: its record, then its snapshot (containerd's <c>WithSnapshotCleanup</c>) and
    /// any bundle left. A container with a task is refused: delete the task first.
    /// </summary>
    /// <exception cref="FailedPreconditionException">The container has a task.</exception>
    /// <exception cref="NotFoundException">The container does not exist.</exception>
    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            TaskState state = await _client.Tasks.StateAsync(Id, null, cancellationToken).ConfigureAwait(false);
            throw new FailedPreconditionException($"container \"{Id}\" has a task ({state.Status}); delete it first");
        }
        catch (NotFoundException)
        {
            // No task: the container can go.
        }

        await _client.Containers.DeleteAsync(Id, cancellationToken).ConfigureAwait(false);
        if (Record.SnapshotKey is not null)
        {
            await _client.RemoveSnapshotAsync(Record.Snapshotter, Record.SnapshotKey, uncounted: true).ConfigureAwait(false);
        }

        BundleFiles.Delete(_client.BundleDirectory(Id));
        ContainerClientLog.Deleted(_client.Logger, Id);
    }

    /// <summary>
    /// The host gid of gid 0 in a user namespace the container gets of its own (containerd's "remapped root"
    /// group, given passage through the bundle), or null: no new user namespace, or no mapping of gid 0.
    /// </summary>
    private static uint? RemappedRootGroup(Spec spec)
    {
        if (spec.Linux?.Namespaces?.Any(n => n.Type == LinuxNamespaceType.User && string.IsNullOrEmpty(n.Path)) != true)
        {
            return null;
        }

        foreach (LinuxIdMapping mapping in spec.Linux.GidMappings ?? [])
        {
            if (mapping.ContainerId == 0 && mapping.Size > 0)
            {
                return mapping.HostId;
            }
        }

        return null;
    }
}
