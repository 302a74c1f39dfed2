namespace Containers.Content;

/// <summary>
/// One open ingest: an append-only write transaction that ends with <see cref="CommitAsync"/>.
/// Disposing without committing keeps the written data, so a writer opened later with the same ref
/// resumes at <see cref="ContentStatus.Offset"/>. A writer is not safe for concurrent use.
/// </summary>
public interface IContentWriter : IAsyncDisposable
{
    /// <summary>The ingest's ref.</summary>
    string Ref { get; }

    /// <summary>The digest of everything written so far.</summary>
    Digest Digest { get; }

    /// <summary>Appends <paramref name="data"/> to the ingest.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>The progress of this writer.</summary>
    Task<ContentStatus> StatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies the written content and makes it a committed blob. The writer is finished afterwards,
    /// whether or not the commit succeeded; after a failed verification the ingest is kept and can be
    /// resumed by opening a new writer with the same ref.
    /// </summary>
    /// <param name="size">The expected size; 0 accepts any size.</param>
    /// <param name="expected">The expected digest; <c>default</c> accepts any digest.</param>
    /// <param name="labels">Labels to set on the committed blob.</param>
    /// <param name="cancellationToken">Cancels the commit before the blob becomes visible.</param>
    /// <exception cref="DigestMismatchException">The size or the digest differs from what was expected.</exception>
    /// <exception cref="AlreadyExistsException">The blob is already committed; the ingest is removed.</exception>
    /// <exception cref="FailedPreconditionException">The writer is already finished.</exception>
    Task CommitAsync(long size, Digest expected, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    /// <summary>Discards written data down to <paramref name="size"/>; only 0 (restart) is supported.</summary>
    /// <exception cref="UnsupportedException"><paramref name="size"/> is not 0.</exception>
    Task TruncateAsync(long size, CancellationToken cancellationToken = default);
}
