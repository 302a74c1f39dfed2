namespace Containers.Events;

/// <summary>Published when an active snapshot is prepared.</summary>
/// <param name="Key">The new snapshot's key.</param>
/// <param name="Parent">Its parent, or <see langword="null"/>.</param>
/// <param name="Snapshotter">The snapshotter's name.</param>
public sealed record SnapshotPrepare(string Key, string? Parent, string Snapshotter) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.SnapshotPrepare;
}
