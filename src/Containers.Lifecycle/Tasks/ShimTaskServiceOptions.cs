namespace Containers.Lifecycle.Tasks;

/// <summary>Where <see cref="ShimTaskService"/> keeps shims, and which binaries it runs.</summary>
public sealed class ShimTaskServiceOptions
{
    /// <summary>The state root (volatile); shims live in <c>&lt;StateDirectory&gt;/shims/&lt;key&gt;</c>, each 0700.</summary>
    public string StateDirectory { get; set; } = "/run/containers-dotnet";

    /// <summary>The runcs binary, started as <c>runcs shim</c>.</summary>
    public string ShimPath { get; set; } = "runcs";

    /// <summary>The containers' namespace; the same id in two namespaces gets two shims.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>
    /// The default runc-compatible runtime binary (runc, crun…), driven through its command line;
    /// <see langword="null"/> runs containers with the shim's own runcs engine inside the shim process (no
    /// runtime process per call — naming the runcs binary here drives it through its command line instead).
    /// A task can name another in its options (<c>{"binaryName": "/usr/bin/crun"}</c>), and join a shared
    /// shim with <c>{"shimGroup": "name"}</c> (<see cref="ShimTaskService.ShimGroupOption"/>).
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>
    /// How many idle warm shims to keep for the next tasks that get a shim of their own (not those of a
    /// shim group). 0 (the default): each such task starts its shim, which exits with the task, as
    /// containerd's does. Above 0: a task's shim, once the task is deleted, waits for the next task
    /// instead of exiting (up to this many wait; more are shut down), so a task create skips the shim's
    /// start (launcher + daemon + socket, ~7–11 ms here). Each shim still serves one task at a time.
    /// An idle shim exits by itself after <see cref="WarmShimIdleTimeout"/>, or as soon as it has no task once
    /// the host process has ended, and the service shuts the idle ones down when it is disposed.
    /// </summary>
    public int WarmShims { get; set; }

    /// <summary>
    /// Keep one shim started ahead for the next task that gets a shim of its own (default off). Once a task has taken
    /// a shim, the next is started in the background; a task create then skips the shim's start, yet every task still
    /// gets a shim that served no task before and exits with it, as containerd's does. The spare is started with
    /// <see cref="WarmShimIdleTimeout"/> as its idle exit, and the service calls it often enough that it stays while
    /// the service lives; once the host process has ended (killed, too) it exits at once. Disposal shuts it down.
    /// With <see cref="WarmShims"/> above 0 the spare serves when no warm shim is idle, and then joins the pool.
    /// </summary>
    public bool SpareShim { get; set; }

    /// <summary>
    /// How long after a task takes the spare (or finds none) the next spare starts; default 50 ms. A shim's start and its
    /// preparation are a few milliseconds of processor time, which a short container's run would otherwise share (on a
    /// two-core machine, about 1 ms of a 10 ms run); each take in that time pushes the start back, so a burst of creates
    /// does not wait for it either. A create that comes before the start has begun starts a shim of its own, as without
    /// the spare; one that comes during the start waits for it. Zero starts the next spare at once.
    /// </summary>
    public TimeSpan SpareShimDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long an idle warm shim waits for a task before it exits (default 30 s).</summary>
    public TimeSpan WarmShimIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a shim group's shim outlives its last task, waiting for the group's next task;
    /// <see langword="null"/> (the default): it exits right after the delete of its last task.
    /// </summary>
    public TimeSpan? ShimGroupIdleTimeout { get; set; }
}
