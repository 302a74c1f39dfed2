namespace Containers.Events;

/// <summary>Published when an image record is updated.</summary>
/// <param name="Name">The image name.</param>
/// <param name="Labels">Its labels after the update.</param>
public sealed record ImageUpdate(string Name, IReadOnlyDictionary<string, string> Labels) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ImageUpdate;
}
