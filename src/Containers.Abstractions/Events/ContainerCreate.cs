using Containers.Metadata;

namespace Containers.Events;

/// <summary>Published when a container record is created.</summary>
/// <param name="Id">The container id.</param>
/// <param name="Image">The image it was created from, or <see langword="null"/>.</param>
/// <param name="Runtime">The runtime that runs its tasks.</param>
public sealed record ContainerCreate(string Id, string? Image, RuntimeInfo Runtime) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ContainerCreate;
}
