namespace Containers.Events;

/// <summary>Published when an image record is created.</summary>
/// <param name="Name">The image name.</param>
/// <param name="Labels">Its labels.</param>
public sealed record ImageCreate(string Name, IReadOnlyDictionary<string, string> Labels) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ImageCreate;
}
