namespace Containers.GarbageCollection;

/// <summary>What one run of <see cref="GarbageCollector.CollectAsync"/> removed, and what it could not.</summary>
public sealed class GarbageCollectionResult
{
    /// <summary>Blobs deleted from the content store.</summary>
    public IReadOnlyList<Digest> RemovedContent { get; init; } = [];

    /// <summary>Snapshots removed, as <c>&lt;snapshotter&gt;/&lt;key&gt;</c>, children before their parents.</summary>
    public IReadOnlyList<string> RemovedSnapshots { get; init; } = [];

    /// <summary>Unfinished ingests aborted (by ref).</summary>
    public IReadOnlyList<string> RemovedIngests { get; init; } = [];

    /// <summary>Expired leases deleted, as <c>&lt;namespace&gt;/&lt;id&gt;</c>.</summary>
    public IReadOnlyList<string> RemovedLeases { get; init; } = [];

    /// <summary>Image records deleted because their <c>containerd.io/gc.expire</c> label had passed, as <c>&lt;namespace&gt;/&lt;name&gt;</c>.</summary>
    public IReadOnlyList<string> RemovedImages { get; init; } = [];

    /// <summary>
    /// Bytes freed: the sizes of the deleted blobs, the data of the aborted ingests, and the disk usage
    /// the snapshotters reported for the removed snapshots just before removing them.
    /// </summary>
    public long BytesFreed { get; init; }

    /// <summary>How many objects were found reachable from the roots (and kept).</summary>
    public int Reachable { get; init; }

    /// <summary>
    /// Removals that failed, then snapshotter cleanups that failed or were cancelled (kind
    /// <see cref="GarbageCollectionResourceKind.Snapshotter"/>, by snapshotter name); each was logged, and the others went ahead.
    /// </summary>
    public IReadOnlyList<GarbageCollectionError> Errors { get; init; } = [];

    /// <summary>How long the run took, marking and sweeping (not the snapshotters' cleanups after it, as containerd's <c>GCStats.Elapsed</c>).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>How many objects were removed, of every kind.</summary>
    public int RemovedCount => RemovedContent.Count + RemovedSnapshots.Count + RemovedIngests.Count + RemovedLeases.Count + RemovedImages.Count;
}
