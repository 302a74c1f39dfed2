namespace Containers.Events;

/// <summary>Published when a container record is deleted.</summary>
/// <param name="Id">The container id.</param>
public sealed record ContainerDelete(string Id) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ContainerDelete;
}
