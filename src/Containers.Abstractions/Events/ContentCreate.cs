namespace Containers.Events;

/// <summary>Published when a blob is committed to the content store.</summary>
/// <param name="Digest">The blob's digest.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record ContentCreate(Digest Digest, long Size) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.ContentCreate;
}
