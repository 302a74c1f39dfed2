using Containers.Content;

namespace Containers.Events;

/// <summary>A writer of a <see cref="PublishingContentStore"/>: its successful commit publishes <c>/content/create</c>.</summary>
internal sealed class PublishingContentWriter : IContentWriter
{
    private readonly IContentWriter _inner;
    private readonly PublishingContentStore _store;

    public PublishingContentWriter(IContentWriter inner, PublishingContentStore store)
    {
        _inner = inner;
        _store = store;
    }

    public string Ref => _inner.Ref;

    public Digest Digest => _inner.Digest;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => _inner.WriteAsync(data, cancellationToken);

    public Task<ContentStatus> StatusAsync(CancellationToken cancellationToken = default) => _inner.StatusAsync(cancellationToken);

    public async Task CommitAsync(long size, Digest expected, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        // The running digest is the blob's when no digest of another algorithm is expected.
        Digest digest = expected.IsEmpty ? _inner.Digest : expected;
        await _inner.CommitAsync(size, expected, labels, cancellationToken).ConfigureAwait(false);
        // A size of 0 means "not checked" to the writer: only then is the stored size read back.
        long committed = size > 0 ? size : (await _store.Inner.InfoAsync(digest, CancellationToken.None).ConfigureAwait(false)).Size;
        await _store.PublishCreatedAsync(digest, committed).ConfigureAwait(false);
    }

    public Task TruncateAsync(long size, CancellationToken cancellationToken = default) => _inner.TruncateAsync(size, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
