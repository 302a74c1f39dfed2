namespace Containers.GarbageCollection;

/// <summary>
/// A vertex of the reference graph. Content and snapshots carry the namespace through which they
/// were reached, because labels are namespaced while the blobs and snapshots themselves are shared
/// (<see langword="null"/>: reached without one, so every namespace's labels apply). A flat node keeps
/// the object (and a snapshot's parents) without following its labels (<c>containerd.io/gc.flat</c>).
/// </summary>
/// <param name="Kind">Content, snapshot, image or container.</param>
/// <param name="Namespace">The namespace whose labels are followed.</param>
/// <param name="Key">A digest, <c>&lt;snapshotter&gt;/&lt;key&gt;</c>, an image name or a container id.</param>
/// <param name="Flat">Whether labels are not followed.</param>
internal readonly record struct GcNode(GarbageCollectionResourceKind Kind, string? Namespace, string Key, bool Flat)
{
    public static GcNode Content(string? ns, string digest, bool flat = false) => new(GarbageCollectionResourceKind.Content, ns, digest, flat);

    public static GcNode Snapshot(string? ns, string snapshotter, string key, bool flat = false) => new(GarbageCollectionResourceKind.Snapshot, ns, SnapshotId(snapshotter, key), flat);

    public static GcNode Image(string? ns, string name) => new(GarbageCollectionResourceKind.Image, ns, name, false);

    /// <summary>How a snapshot is named in results and in the graph: snapshotter names hold no '/', keys may.</summary>
    public static string SnapshotId(string snapshotter, string key) => snapshotter + "/" + key;
}
