using Containers.Content;
using Containers.Oci.Image;

namespace Containers.Events;

/// <summary>
/// An <see cref="IContentStore"/> that publishes <c>/content/delete</c> (<see cref="ContentDelete"/>, the digest)
/// after each successful delete, as containerd's content service (services/content/store.go) does, and
/// <c>/content/create</c> (<see cref="ContentCreate"/>, digest and size) after each successful commit of a writer
/// it opened, as containerd 2.1 does (1.6 and 1.7 have no content create event). Reads, label updates and
/// ingest aborts publish nothing; a failed call publishes nothing.
/// </summary>
public sealed class PublishingContentStore : IContentStore
{
    private readonly IEventBus _events;
    private readonly string _namespace;

    /// <summary>Wraps a content store.</summary>
    /// <param name="inner">The store that keeps the blobs.</param>
    /// <param name="events">Where the events go.</param>
    /// <param name="namespace">The namespace of <paramref name="inner"/>, stamped on each event.</param>
    public PublishingContentStore(IContentStore inner, IEventBus events, string @namespace)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        _namespace = @namespace;
    }

    /// <summary>The wrapped store (changes made through it publish nothing).</summary>
    public IContentStore Inner { get; }

    /// <inheritdoc/>
    public Task<ContentInfo> InfoAsync(Digest digest, CancellationToken cancellationToken = default) => Inner.InfoAsync(digest, cancellationToken);

    /// <inheritdoc/>
    public Task<ContentInfo> UpdateAsync(ContentInfo info, IEnumerable<string>? fieldPaths = null, CancellationToken cancellationToken = default)
        => Inner.UpdateAsync(info, fieldPaths, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<ContentInfo> WalkAsync(string? filter = null, CancellationToken cancellationToken = default) => Inner.WalkAsync(filter, cancellationToken);

    /// <inheritdoc/>
    public async Task DeleteAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        await Inner.DeleteAsync(digest, cancellationToken).ConfigureAwait(false);
        // Not cancellable once the blob is gone: the change happened and must be told.
        await _events.PublishAsync(_namespace, new ContentDelete(digest), CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<IContentReader> OpenReaderAsync(Descriptor descriptor, CancellationToken cancellationToken = default) => Inner.OpenReaderAsync(descriptor, cancellationToken);

    /// <inheritdoc/>
    public Task<IContentReader> OpenReaderAsync(Digest digest, CancellationToken cancellationToken = default) => Inner.OpenReaderAsync(digest, cancellationToken);

    /// <inheritdoc/>
    public async Task<IContentWriter> OpenWriterAsync(ContentWriterOptions options, CancellationToken cancellationToken = default)
    {
        IContentWriter writer = await Inner.OpenWriterAsync(options, cancellationToken).ConfigureAwait(false);
        return new PublishingContentWriter(writer, this);
    }

    /// <inheritdoc/>
    public Task<ContentStatus> StatusAsync(string reference, CancellationToken cancellationToken = default) => Inner.StatusAsync(reference, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<ContentStatus>> ListStatusesAsync(string? filter = null, CancellationToken cancellationToken = default)
        => Inner.ListStatusesAsync(filter, cancellationToken);

    /// <inheritdoc/>
    public Task AbortAsync(string reference, CancellationToken cancellationToken = default) => Inner.AbortAsync(reference, cancellationToken);

    /// <summary>Publishes <c>/content/create</c> for a blob one of this store's writers committed.</summary>
    internal ValueTask PublishCreatedAsync(Digest digest, long size) => _events.PublishAsync(_namespace, new ContentCreate(digest, size), CancellationToken.None);
}
