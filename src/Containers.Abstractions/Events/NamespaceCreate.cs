namespace Containers.Events;

/// <summary>Published when a namespace is created.</summary>
/// <param name="Name">The namespace.</param>
/// <param name="Labels">Its labels.</param>
public sealed record NamespaceCreate(string Name, IReadOnlyDictionary<string, string> Labels) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.NamespaceCreate;
}
