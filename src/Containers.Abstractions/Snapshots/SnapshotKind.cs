namespace Containers.Snapshots;

/// <summary>The kind of a snapshot, which fixes what may be done with it.</summary>
public enum SnapshotKind
{
    /// <summary>Not known (a default value, or a kind this version does not know).</summary>
    Unknown = 0,

    /// <summary>A read-only view of a committed parent, made by <see cref="ISnapshotter.ViewAsync"/>; cannot be committed.</summary>
    View = 1,

    /// <summary>A writable snapshot made by <see cref="ISnapshotter.PrepareAsync"/>; may be committed.</summary>
    Active = 2,

    /// <summary>An immutable snapshot made by <see cref="ISnapshotter.CommitAsync"/>; the only kind that may be a parent.</summary>
    Committed = 3,
}
