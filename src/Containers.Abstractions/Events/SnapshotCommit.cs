namespace Containers.Events;

/// <summary>Published when an active snapshot is committed.</summary>
/// <param name="Key">The active snapshot's key.</param>
/// <param name="Name">The committed snapshot's name.</param>
/// <param name="Snapshotter">The snapshotter's name.</param>
public sealed record SnapshotCommit(string Key, string Name, string Snapshotter) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.SnapshotCommit;
}
