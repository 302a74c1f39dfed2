namespace Containers.Snapshots;

/// <summary>What a snapshotter knows about one snapshot.</summary>
/// <param name="Kind">Active, view or committed.</param>
/// <param name="Name">The key of an active snapshot or view, or the name of a committed one.</param>
public sealed record SnapshotInfo(SnapshotKind Kind, string Name)
{
    /// <summary>The name of the committed parent, or <see langword="null"/> for a snapshot on the empty parent.</summary>
    public string? Parent { get; init; }

    /// <summary>
    /// User labels; the only mutable part (see <see cref="ISnapshotter.UpdateAsync"/>). Labels with the
    /// prefix <c>containerd.io/gc.</c> steer garbage collection, as in containerd.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>When the snapshot was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the snapshot's info was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
