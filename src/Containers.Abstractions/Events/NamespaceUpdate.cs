namespace Containers.Events;

/// <summary>Published when a namespace's labels are updated.</summary>
/// <param name="Name">The namespace.</param>
/// <param name="Labels">Its labels after the update.</param>
public sealed record NamespaceUpdate(string Name, IReadOnlyDictionary<string, string> Labels) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.NamespaceUpdate;
}
