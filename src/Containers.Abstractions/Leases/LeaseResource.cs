namespace Containers.Leases;

/// <summary>A resource held by a lease, named by its kind and its id, as containerd names them.</summary>
/// <param name="Id">The id within the kind: a digest, an ingest ref or a snapshot key.</param>
/// <param name="Type">The kind: <c>content</c>, <c>ingests</c> or <c>snapshots/&lt;snapshotter&gt;</c>.</param>
public sealed record LeaseResource(string Id, string Type)
{
    /// <summary>The <see cref="Type"/> of a content blob.</summary>
    public const string ContentType = "content";

    /// <summary>The <see cref="Type"/> of an ingest in progress.</summary>
    public const string IngestType = "ingests";

    /// <summary>The prefix of the <see cref="Type"/> of a snapshot; the snapshotter name follows it.</summary>
    public const string SnapshotTypePrefix = "snapshots/";

    /// <summary>A content blob.</summary>
    public static LeaseResource ForContent(Digest digest) => new(digest.ToString(), ContentType);

    /// <summary>An ingest in progress, by its ref.</summary>
    public static LeaseResource ForIngest(string reference) => new(reference, IngestType);

    /// <summary>A snapshot of a snapshotter, by its key.</summary>
    public static LeaseResource ForSnapshot(string snapshotter, string key) => new(key, SnapshotTypePrefix + snapshotter);
}
