namespace Containers.GarbageCollection;

/// <summary>The kinds of object the garbage collector removes (containerd's gc resource types).</summary>
public enum GarbageCollectionResourceKind
{
    /// <summary>A committed blob in the content store.</summary>
    Content,

    /// <summary>A snapshot, named <c>&lt;snapshotter&gt;/&lt;key&gt;</c>.</summary>
    Snapshot,

    /// <summary>An unfinished ingest in the content store, named by its ref.</summary>
    Ingest,

    /// <summary>A lease, named <c>&lt;namespace&gt;/&lt;id&gt;</c>.</summary>
    Lease,

    /// <summary>An image record with an expired <c>containerd.io/gc.expire</c> label, named <c>&lt;namespace&gt;/&lt;name&gt;</c>.</summary>
    Image,

    /// <summary>A container record: never removed by the collector, a node of the graph only (back references name it).</summary>
    Container,

    /// <summary>
    /// A snapshotter, named by its name, whose <see cref="Containers.Snapshots.ISnapshotter.CleanupAsync"/> after the
    /// sweep failed or was cancelled (reported only: what it would have freed stays until a later cleanup).
    /// </summary>
    Snapshotter,
}
