namespace Containers.DependencyInjection;

/// <summary>Options of <see cref="ContainerRuntimeServiceCollectionExtensions.AddContainerRuntime"/>.</summary>
public sealed class ContainerRuntimeOptions
{
    /// <summary>The persistent root (metadata database, later content and snapshots); default <c>/var/lib/containers-dotnet</c>.</summary>
    public string Root { get; set; } = "/var/lib/containers-dotnet";

    /// <summary>
    /// The volatile state directory (shims and their sockets, bundles, stdio FIFOs); default
    /// <c>/run/containers-dotnet</c>. At most ~60 bytes, so the shims' socket paths fit a unix socket address.
    /// </summary>
    public string State { get; set; } = "/run/containers-dotnet";

    /// <summary>The namespace the registered stores work in; default <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>
    /// The default snapshotter: images are unpacked into it, and containers that name no other get their root
    /// filesystems from it. <c>overlayfs</c> (default), <c>native</c>, or a name in <see cref="Snapshotters"/>.
    /// </summary>
    public string Snapshotter { get; set; } = "overlayfs";

    /// <summary>
    /// More snapshotters by name, as containerd's snapshotter plugins: each factory makes the snapshotter (the
    /// application's own <see cref="Containers.Snapshots.ISnapshotter"/>) when it is first needed — at start, so that the
    /// garbage collector sweeps it, or as the default. A container names one in <see cref="Client.ContainerOptions.Snapshotter"/>.
    /// A name here replaces the built-in snapshotter of that name. Names follow containerd's identifier rule. The
    /// snapshotters made are disposed with the runtime's services.
    /// </summary>
    public IDictionary<string, Func<IServiceProvider, Containers.Snapshots.ISnapshotter>> Snapshotters { get; } =
        new Dictionary<string, Func<IServiceProvider, Containers.Snapshots.ISnapshotter>>(StringComparer.Ordinal);

    /// <summary>How many events one subscriber may have queued before its oldest are dropped; default 1024.</summary>
    public int EventSubscriberCapacity { get; set; } = new Events.EventBusOptions().SubscriberCapacity;

    /// <summary>The runcs binary, started as <c>runcs shim</c> for each container; default <c>runcs</c> (looked up in PATH).</summary>
    public string RuncsPath { get; set; } = "runcs";

    /// <summary>
    /// The runc-compatible binary (absolute path: runc, crun, youki…) the shims drive for containers that
    /// do not name one; <see langword="null"/> (default) for runcs itself.
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>
    /// When the host's background garbage collection runs (<see cref="GarbageCollection.GarbageCollectionScheduler"/>,
    /// containerd's gc scheduler settings and defaults); <c>Gc.Enabled = false</c> leaves collections to the application.
    /// </summary>
    public GarbageCollection.GarbageCollectionSchedulerOptions Gc { get; set; } = new();

    /// <summary>
    /// Idle warm shims kept for the next containers' tasks (<see cref="Lifecycle.Tasks.ShimTaskServiceOptions.WarmShims"/>);
    /// default 0: each task starts its own shim, which exits with it. Above 0 a task create skips the
    /// shim's start, and up to this many shims stay idle for <see cref="WarmShimIdleTimeout"/> after their task.
    /// </summary>
    public int WarmShims { get; set; }

    /// <summary>
    /// Keep one shim started ahead for the next container's task (<see cref="Lifecycle.Tasks.ShimTaskServiceOptions.SpareShim"/>);
    /// default on. A task create then skips the shim's start (a process start and its socket), and each task still gets a fresh shim that exits
    /// with it. The cost is one idle shim process per host once it has run a container (~8 MB, no threads busy). Turn it off
    /// in a short-lived process that runs one container (a CLI): its spare would only be started to be shut down.
    /// </summary>
    public bool SpareShim { get; set; } = true;

    /// <summary>
    /// How long after a task takes the spare the next one starts (<see cref="Lifecycle.Tasks.ShimTaskServiceOptions.SpareShimDelay"/>);
    /// default 50 ms, so that a short container's run does not share the processor with the start. Zero starts it at once.
    /// </summary>
    public TimeSpan SpareShimDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long an idle warm shim waits for a task before it exits; default 30 s.</summary>
    public TimeSpan WarmShimIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a shim group's shim outlives its last task; <see langword="null"/> (default): it exits with it.</summary>
    public TimeSpan? ShimGroupIdleTimeout { get; set; }
}
