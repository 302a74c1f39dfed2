namespace Containers.Events;

/// <summary>Published when a container record is updated.</summary>
/// <param name="Id">The container id.</param>
/// <param name="Image">Its image, or <see langword="null"/>.</param>
/// <param name="Labels">Its labels after the update.</param>
/// <param name="SnapshotKey">Its snapshot key, or <see langword="null"/>.</param>
public sealed record ContainerUpdate(string Id, string? Image, IReadOnlyDictionary<string, string> Labels, string? SnapshotKey) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ContainerUpdate;
}
