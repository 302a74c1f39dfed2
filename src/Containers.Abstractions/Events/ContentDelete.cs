namespace Containers.Events;

/// <summary>Published when a blob is deleted from the content store.</summary>
/// <param name="Digest">The blob's digest.</param>
public sealed record ContentDelete(Digest Digest) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ContentDelete;
}
