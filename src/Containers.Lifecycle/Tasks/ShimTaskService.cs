using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Containers.Events;
using Containers.Metadata;
using Containers.Linux.Supervision;
using Containers.Runtime;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// <see cref="ITaskService"/> over shims: one <c>runcs shim</c> per container, or one per group for tasks
/// created with <c>{"shimGroup": "name"}</c> in their options (see <see cref="ShimGroupOption"/>), found again from its
/// state directory after the host restarts (no in-memory registry is needed for that: a container's
/// shim directory follows from its namespace and id). A shim that is gone makes its tasks report a
/// failed <see cref="ExitStatus"/> (or the exit it recorded on disk before it died), never a hang.
/// Task create/start/exit/delete events go to the <see cref="IEventBus"/> when one is given.
/// </summary>
public sealed partial class ShimTaskService : ITaskService, IAsyncDisposable
{
    private readonly ShimTaskServiceOptions _options;
    private readonly IEventBus? _events;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _watchersLock = new();
    private readonly Dictionary<string, TaskWatch> _watchers = new(StringComparer.Ordinal);

    /// <summary>The containers whose init this service is deleting: their watchers leave an exit they did not get to the delete.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _deleting = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="options">Where shims live and which binaries run.</param>
    /// <param name="events">Where task events go, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The state directory is not absolute, or too long for a unix socket path, or a warm-shim setting is out of range.</exception>
    public ShimTaskService(ShimTaskServiceOptions options, IEventBus? events = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Path.IsPathFullyQualified(options.StateDirectory))
        {
            throw new ArgumentException($"StateDirectory: \"{options.StateDirectory}\" is not absolute", nameof(options));
        }

        if (Encoding.UTF8.GetByteCount(ShimPaths.Socket(ShimDirectoryFor(options.StateDirectory, options.Namespace, "x"))) > 107)
        {
            throw new ArgumentException($"StateDirectory: \"{options.StateDirectory}\" is too long for the shims' unix socket paths (107 bytes)", nameof(options));
        }

        if (options.WarmShims < 0 || options.WarmShimIdleTimeout <= TimeSpan.Zero || options.ShimGroupIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("WarmShims must be 0 or more, WarmShimIdleTimeout positive, ShimGroupIdleTimeout positive or null", nameof(options));
        }

        _options = options;
        _events = events;
    }

    /// <inheritdoc/>
    public async ValueTask<int> CreateAsync(TaskCreateRequest request, CancellationToken cancellationToken = default)
        => await CreateCoreAsync(request, start: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Creates the task and starts its init in one call to the shim (runc's <c>run</c>): what <see cref="CreateAsync"/>
    /// then <see cref="StartAsync"/> do, with their events, one round trip fewer. A start that fails leaves no task
    /// (the shim deletes it again, the rootfs is unmounted) and throws as <see cref="StartAsync"/> would.
    /// </summary>
    /// <returns>The init's host pid.</returns>
    internal async ValueTask<int> CreateStartedAsync(TaskCreateRequest request, CancellationToken cancellationToken)
        => await CreateCoreAsync(request, start: true, cancellationToken).ConfigureAwait(false);

    private async ValueTask<int> CreateCoreAsync(TaskCreateRequest request, bool start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Identifiers.Validate(request.ContainerId, "containerId");

        if (request.Checkpoint is not null)
        {
            throw new UnsupportedException("checkpoint: restore is not supported");
        }

        (string? runtime, string? group) = ParseOptions(request.Options);
        runtime ??= _options.Runtime;
        string directory = ShimDirectory(request.ContainerId);
        if (LinkedGroupDirectory(directory) is not null && !Directory.Exists(ShimPaths.Task(directory, request.ContainerId)))
        {
            File.Delete(directory); // the link of a grouped task whose delete did not finish
        }

        if (Directory.Exists(directory))
        {
            ShimClient existing = new(directory);
            try
            {
                _ = await existing.CallAsync(new ShimRequest { Op = ShimOps.State, Id = request.ContainerId }, cancellationToken).ConfigureAwait(false);
                throw new AlreadyExistsException("task", request.ContainerId);
            }
            catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
            {
                throw new FailedPreconditionException($"task \"{request.ContainerId}\" has the state of a shim that died in {directory}; delete the task first");
            }
            catch (NotFoundException)
            {
                throw new FailedPreconditionException($"a shim serves {directory} without task \"{request.ContainerId}\"");
            }
        }

        // A watcher of an earlier task of this id that never ended (its shim neither answered nor closed) must not
        // answer a wait of the new one.
        ForgetWatcher(request.ContainerId);
        ShimRequest create = new()
        {
            Op = ShimOps.Create,
            Id = request.ContainerId,
            Namespace = _options.Namespace,
            Bundle = Path.GetFullPath(request.Bundle),
            Runtime = runtime,
            Stdin = request.IO.Stdin,
            Stdout = request.IO.Stdout,
            Stderr = request.IO.Stderr,
            Terminal = request.IO.Terminal,
            Start = start,
        };
        bool mounted = MountRootfs(request);
        ShimResponse response;
        try
        {
            response = group is not null
                ? await CreateInGroupAsync(group, directory, create, cancellationToken).ConfigureAwait(false)
                : await CreateInOwnShimAsync(directory, create, cancellationToken).ConfigureAwait(false);
        }
        catch when (mounted)
        {
            UnmountRootfs(request.ContainerId);
            throw;
        }

        await PublishAsync(new TaskCreate(request.ContainerId, request.Bundle, request.Rootfs, request.IO, null, response.Pid)).ConfigureAwait(false);
        if (start)
        {
            if (response.Status is null)
            {
                // A shim from before session 18 (a group's, started by an older host) created the task without starting it;
                // a start that fails here deletes it again, as the shim itself does.
                try
                {
                    return await StartAsync(request.ContainerId, null, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    _ = await DeleteAsync(request.ContainerId, null, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }

            await PublishAsync(new TaskStart(request.ContainerId, response.Pid)).ConfigureAwait(false);
            WatchTask(request.ContainerId);
        }

        return response.Pid;
    }

    private async ValueTask<ShimResponse> CreateInOwnShimAsync(string directory, ShimRequest create, CancellationToken cancellationToken)
    {
        if (_options.WarmShims > 0 || _options.SpareShim)
        {
            string? shim = TakeWarmShim() ?? await TakeSpareShimAsync().ConfigureAwait(false);
            if (shim is not null || _options.WarmShims > 0)
            {
                return await CreateInWarmShimAsync(directory, shim, create, cancellationToken).ConfigureAwait(false);
            }
        }

        await ShimLauncher.StartAsync(_options.ShimPath, directory, -1, cancellationToken).ConfigureAwait(false);
        ShimClient client = new(directory);
        try
        {
            return await client.CallAsync(create, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The shim has no task: tell it to remove its directory and exit, so nothing is left.
            try
            {
                _ = await client.CallAsync(new ShimRequest { Op = ShimOps.Shutdown }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ContainersException)
            {
                // Already gone.
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<int> StartAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default)
    {
        ShimResponse response = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Start, Id = containerId, ExecId = execId }, cancellationToken).ConfigureAwait(false);
        if (execId is null)
        {
            // The start is published before the watcher can publish the exit, which may come at once.
            await PublishAsync(new TaskStart(containerId, response.Pid)).ConfigureAwait(false);
            WatchTask(containerId);
        }
        else
        {
            await PublishAsync(new TaskExecStarted(containerId, execId, response.Pid)).ConfigureAwait(false);
        }

        return response.Pid;
    }

    /// <inheritdoc/>
    public async ValueTask KillAsync(string containerId, int signal, string? execId = null, bool all = false, CancellationToken cancellationToken = default)
        => _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Kill, Id = containerId, ExecId = execId, Signal = signal, All = all }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<ExitStatus> WaitAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default)
    {
        // An init this host watches: the watcher's long-poll brings the same exit, so no second connection waits for it.
        if (execId is null && await WatchedExitAsync(containerId, cancellationToken).ConfigureAwait(false) is { } watched)
        {
            return watched;
        }

        try
        {
            ShimClient client = new(RequireShimDirectory(containerId));
            ShimResponse response = await client.CallAsync(new ShimRequest { Op = ShimOps.Wait, Id = containerId, ExecId = execId }, cancellationToken).ConfigureAwait(false);
            return ToStatus(response.Exit);
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            return LostStatus(containerId, execId, ex.Message);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<ExitStatus> DeleteAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default)
        => (await DeleteCoreAsync(containerId, execId, cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>The delete, with the streams of the init's execs the shim named in its answer (none when the shim was gone).</summary>
    private async ValueTask<(ExitStatus Status, IReadOnlyList<TaskIO> Execs)> DeleteCoreAsync(string containerId, string? execId, CancellationToken cancellationToken)
    {
        string directory = RequireShimDirectory(containerId);
        string? group = execId is null ? LinkedGroupDirectory(directory) : null;
        // A warm shim serves this one task: no other create can join it while it is deleted.
        string? warm = group is not null && IsWarmDirectory(group) ? group : null;
        SemaphoreSlim? gate = group is null || warm is not null ? null : GroupGate(group);
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        ExitStatus status;
        int pid = 0;
        IReadOnlyList<TaskIO> execs = [];
        if (execId is null)
        {
            // From here a watcher that loses the task (or its shim) leaves the exit to this delete, which has the real one.
            _ = _deleting.TryAdd(containerId, 0);
        }

        try
        {
            ShimResponse response = await new ShimClient(directory).CallAsync(new ShimRequest { Op = ShimOps.Delete, Id = containerId, ExecId = execId }, cancellationToken).ConfigureAwait(false);
            status = ToStatus(response.Exit);
            pid = response.Pid;
            if (execId is null)
            {
                execs = response.Execs is null ? [] : [.. response.Execs.Select(e => new TaskIO { Stdin = e.Stdin, Stdout = e.Stdout, Stderr = e.Stderr, Terminal = e.Terminal })];
                RemoveGroupLink(directory);
                if (warm is not null && !response.Exiting)
                {
                    await ReturnWarmShimAsync(warm).ConfigureAwait(false);
                }
            }
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            // The shim died: report what it recorded (or the failure) and remove what it left.
            status = LostStatus(containerId, execId, ex.Message);
            if (execId is null)
            {
                ShimTaskRecord? record = ReadTaskRecord(directory, containerId);
                if (record is not null && !string.IsNullOrEmpty(record.Runtime))
                {
                    // Best effort: a container still running without its shim is killed and its cgroups removed.
                    _ = await ShimLauncher.ForceDeleteAsync(record.Runtime, ShimPaths.RuntimeRoot(directory), containerId).ConfigureAwait(false);
                }

                RemoveDeadShimState(directory, containerId);
            }
        }
        catch
        {
            if (execId is null)
            {
                _ = _deleting.TryRemove(containerId, out _);
            }

            throw;
        }
        finally
        {
            gate?.Release();
        }

        if (execId is null)
        {
            if (!await DrainWatcherAsync(containerId).ConfigureAwait(false) && _events is not null && !File.Exists(ExitEventMarker(containerId, status)))
            {
                // The watcher never learned the exit (the delete took the task, and a per-task shim exited, before
                // its long-poll got there): the exit this delete reports is the one to publish, before TaskDelete.
                await PublishAsync(new TaskExit(containerId, containerId, 0, status.ExitCode, status.ExitedAt)).ConfigureAwait(false);
            }

            _ = _deleting.TryRemove(containerId, out _);
            UnmountRootfs(containerId);
            DeleteEventMarkers(containerId, status);
        }

        await PublishAsync(new TaskDelete(containerId, pid, status.ExitCode, status.ExitedAt, execId)).ConfigureAwait(false);
        return (status, execs);
    }

    /// <inheritdoc/>
    public async ValueTask ExecAsync(TaskExecRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = await CallAsync(request.ContainerId, new ShimRequest
        {
            Op = ShimOps.Exec,
            Id = request.ContainerId,
            ExecId = request.ExecId,
            Json = Encoding.UTF8.GetString(request.ProcessJson.Span),
            Stdin = request.IO.Stdin,
            Stdout = request.IO.Stdout,
            Stderr = request.IO.Stderr,
            Terminal = request.IO.Terminal,
        }, cancellationToken).ConfigureAwait(false);
        await PublishAsync(new TaskExecAdded(request.ContainerId, request.ExecId)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<ProcessInfo>> PidsAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ShimResponse response = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Pids, Id = containerId }, cancellationToken).ConfigureAwait(false);
        return (response.Pids ?? []).Select(p => new ProcessInfo(p.Pid, p.ExecId)).ToArray();
    }

    /// <inheritdoc/>
    public async ValueTask PauseAsync(string containerId, CancellationToken cancellationToken = default)
    {
        _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Pause, Id = containerId }, cancellationToken).ConfigureAwait(false);
        await PublishAsync(new TaskPaused(containerId)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask ResumeAsync(string containerId, CancellationToken cancellationToken = default)
    {
        _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Resume, Id = containerId }, cancellationToken).ConfigureAwait(false);
        await PublishAsync(new TaskResumed(containerId)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask UpdateAsync(string containerId, ReadOnlyMemory<byte> resourcesJson, IReadOnlyDictionary<string, string>? annotations = null, CancellationToken cancellationToken = default)
    {
        if (annotations is { Count: > 0 })
        {
            throw new UnsupportedException("annotations: updating annotations is not supported by the shim");
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(resourcesJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSpecException("resources", "expected an object");
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidSpecException("resources", $"not JSON ({ex.Message})", ex);
        }

        _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Update, Id = containerId, Json = Encoding.UTF8.GetString(resourcesJson.Span) }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="FailedPreconditionException">The task is not running (no live cgroup), or its shim is gone.</exception>
    public async ValueTask<ContainerStats> MetricsAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ShimResponse response = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Metrics, Id = containerId }, cancellationToken).ConfigureAwait(false);
        return ShimMetrics.ToContainerStats(response);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The shim copies the stdin FIFO into the process and holds the FIFO open itself, so a host that
    /// closes its writer (or dies) does not end the process's input; this call does, after the
    /// bytes already written are delivered. With a terminal it stops forwarding input (no EOF
    /// reaches a process reading the terminal, as with containerd).
    /// </remarks>
    public async ValueTask CloseIOAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default)
        => _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.CloseIO, Id = containerId, ExecId = execId }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <exception cref="InvalidSpecException">A size is not 1 to 65535.</exception>
    public async ValueTask ResizePtyAsync(string containerId, string? execId, int width, int height, CancellationToken cancellationToken = default)
    {
        if (width is <= 0 or > ushort.MaxValue || height is <= 0 or > ushort.MaxValue)
        {
            throw new InvalidSpecException(width is <= 0 or > ushort.MaxValue ? "width" : "height", $"{width}x{height} is not a terminal size (1 to 65535 each)");
        }

        _ = await CallAsync(containerId, new ShimRequest { Op = ShimOps.ResizePty, Id = containerId, ExecId = execId, Width = width, Height = height }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<TaskState> StateAsync(string containerId, string? execId = null, CancellationToken cancellationToken = default)
    {
        string directory = RequireShimDirectory(containerId);
        ShimTaskRecord? record = ReadTaskRecord(directory, containerId);
        TaskIO io = StdioOf(record);
        try
        {
            ShimResponse response = await new ShimClient(directory).CallAsync(new ShimRequest { Op = ShimOps.State, Id = containerId, ExecId = execId }, cancellationToken).ConfigureAwait(false);
            return new TaskState(containerId, StatusOf(response.Status))
            {
                ExecId = execId,
                Bundle = record?.Bundle ?? string.Empty,
                Pid = response.Pid,
                // An exec's streams are its own, named only by the shim (task.json holds the init's).
                IO = execId is null ? io : new TaskIO { Stdin = response.Stdin, Stdout = response.Stdout, Stderr = response.Stderr, Terminal = response.Terminal },
                Exit = response.Exit is null ? null : ToStatus(response.Exit),
            };
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            return new TaskState(containerId, ProcessStatus.Stopped)
            {
                ExecId = execId,
                Bundle = record?.Bundle ?? string.Empty,
                IO = execId is null ? io : TaskIO.None,
                Exit = LostStatus(containerId, execId, ex.Message),
            };
        }
    }

    /// <summary>Stops watching for exits and shuts the idle warm shims down (the shims with tasks and their containers keep running).</summary>
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        await ShutdownWarmShimsAsync().ConfigureAwait(false);
        Task[] watchers;
        lock (_watchersLock)
        {
            watchers = [.. _watchers.Values.Select(w => w.Done)];
        }

        await Task.WhenAll(watchers).ConfigureAwait(false);
        _closing.Dispose();
    }

    private async ValueTask<ShimResponse> CallAsync(string containerId, ShimRequest request, CancellationToken cancellationToken)
    {
        string directory = RequireShimDirectory(containerId);
        try
        {
            return await new ShimClient(directory).CallAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            throw new FailedPreconditionException($"task \"{containerId}\" failed: its shim is gone ({ex.Message})", ex);
        }
    }

    private string RequireShimDirectory(string containerId)
    {
        Identifiers.Validate(containerId, "containerId");
        string directory = ShimDirectory(containerId);
        // The task's own directory, not the shim's: a shim takes it out of tasks/ (a rename) before it answers a
        // delete, and removes its whole directory only as it exits, a moment later.
        return Directory.Exists(ShimPaths.Task(directory, containerId)) ? directory : throw new NotFoundException("task", containerId);
    }

    private string ShimDirectory(string containerId) => ShimDirectoryFor(_options.StateDirectory, _options.Namespace, containerId);

    /// <summary>
    /// A container's shim directory: a hash of namespace and id keeps the socket path short and
    /// fixed-length (ids may be 76 characters; sockaddr_un holds 107 bytes).
    /// </summary>
    private static string ShimDirectoryFor(string state, string @namespace, string containerId)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(@namespace + "/" + containerId));
        return Path.Combine(state, "shims", Convert.ToHexStringLower(hash, 0, 12));
    }

    private static ExitStatus ToStatus(ShimExitRecord? exit)
        => exit is null
            ? new ExitStatus(ExitStatus.UnknownExitCode, DateTimeOffset.UtcNow) { Failure = "the shim reported no exit status" }
            : new ExitStatus(exit.ExitCode, exit.ExitedAt);

    private static ProcessStatus StatusOf(string? status) => status switch
    {
        ShimStatus.Created => ProcessStatus.Created,
        ShimStatus.Running => ProcessStatus.Running,
        ShimStatus.Paused => ProcessStatus.Paused,
        ShimStatus.Stopped => ProcessStatus.Stopped,
        _ => ProcessStatus.Unknown,
    };

    private async ValueTask PublishAsync(ContainerEvent @event)
    {
        if (_events is not null)
        {
            await _events.PublishAsync(_options.Namespace, @event, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
