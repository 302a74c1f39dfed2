namespace Containers.Events;

/// <summary>Published when an image record is deleted.</summary>
/// <param name="Name">The image name.</param>
public sealed record ImageDelete(string Name) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ImageDelete;
}
