namespace Containers.Events;

/// <summary>Published when a snapshot is removed.</summary>
/// <param name="Key">The snapshot's key or name.</param>
/// <param name="Snapshotter">The snapshotter's name.</param>
public sealed record SnapshotRemove(string Key, string Snapshotter) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.SnapshotRemove;
}
