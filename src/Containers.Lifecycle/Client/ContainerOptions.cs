using Containers.Oci;

namespace Containers.Client;

/// <summary>What a container is made of besides its image: arguments, spec options, runtime and labels.</summary>
public class ContainerOptions
{
    /// <summary>
    /// The process's argv, replacing the image's entrypoint and command (as <c>ctr run IMAGE ID ARGS…</c>
    /// does); <see langword="null"/> or empty keeps the image's.
    /// </summary>
    public IReadOnlyList<string>? Args { get; set; }

    /// <summary>
    /// Spec options (<see cref="SpecOptions"/>: <c>WithMemoryLimit</c>, <c>WithMounts</c>, <c>WithUser</c>,
    /// <c>WithEnv</c>, …), applied in order after the image's config and <see cref="Args"/>.
    /// </summary>
    public IList<SpecOption> Spec { get; } = [];

    /// <summary>
    /// A runc-compatible runtime binary (absolute path: runc, crun, youki…) the shim drives for this
    /// container; <see langword="null"/> for the configured default (runcs itself unless set otherwise).
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>
    /// A shared shim group (container-id rule): the container's task goes to the one shim of that group
    /// in the namespace instead of a shim of its own (<see cref="Lifecycle.Tasks.ShimTaskService.ShimGroupOption"/>).
    /// A task created while another task of the group lives skips the shim's start (no launcher, daemon
    /// or socket handshake) and the group costs one shim's memory; the shim exits with the group's last
    /// task. The trade-off is isolation: the group's tasks share one supervising process, so a shim that
    /// dies (or is killed) fails every task of the group, and a busy task's I/O shares the shim's threads.
    /// <see langword="null"/> (the default) gives each container its own shim, as containerd does.
    /// </summary>
    public string? ShimGroup { get; set; }

    /// <summary>
    /// Makes the root filesystem a read-only view of the image, as <c>ctr run --read-only</c> (containerd's
    /// <c>WithNewSnapshotView</c> + <c>WithRootFSReadonly</c>): the snapshot is a View, not an active
    /// snapshot (nothing can be written to it, nothing is copied up), and the spec's <c>root.readonly</c>
    /// is set, so a write to the rootfs fails with EROFS (mount volumes or a tmpfs for writable paths).
    /// The container's delete removes the view. Default <see langword="false"/>.
    /// </summary>
    public bool ReadOnlyRootfs { get; set; }

    /// <summary>
    /// The snapshotter the container's root filesystem comes from, by name (<c>overlayfs</c>, <c>native</c>, or
    /// another of <see cref="ContainerClient.Snapshotters"/>), as <c>ctr run --snapshotter</c>; the image is
    /// unpacked into it first if it was not. The container's record keeps the name. <see langword="null"/> (the
    /// default) for the runtime's <see cref="DependencyInjection.ContainerRuntimeOptions.Snapshotter"/>. An
    /// unknown name is refused (<see cref="InvalidSpecException"/> naming <c>snapshotter</c>) before anything is made.
    /// </summary>
    public string? Snapshotter { get; set; }

    /// <summary>The container's labels.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Labels of the container's snapshot, as containerd's <c>WithNewSnapshot(…, snapshots.WithLabels(…))</c>. With
    /// <c>containerd.io/snapshot/uidmapping</c> and <c>gidmapping</c> (for example <c>0:100000:65536</c>, matching
    /// <see cref="SpecOptions.WithUserNamespace"/>'s maps) the overlay snapshotter id-maps the image's layers, so a
    /// container in a user namespace sees them owned by its own ids without chowned copies (Linux 5.19+).
    /// </summary>
    public IDictionary<string, string> SnapshotLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
