namespace Containers.Events;

/// <summary>Published when a namespace is deleted.</summary>
/// <param name="Name">The namespace.</param>
public sealed record NamespaceDelete(string Name) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.NamespaceDelete;
}
