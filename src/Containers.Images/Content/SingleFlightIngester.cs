using Containers.Concurrency;
using Containers.Oci.Image;

namespace Containers.Content;

/// <summary>
/// Fetches blobs into a content store so that concurrent requests for one digest share a single
/// download: in this process through <see cref="SingleFlight{TKey, TResult}"/>; across processes the
/// ingest lock makes a second fetcher wait until the first one has committed or given up.
/// </summary>
public sealed class SingleFlightIngester
{
    private static readonly TimeSpan MaxLockedBackoff = TimeSpan.FromSeconds(1);

    private readonly IContentStore _store;
    private readonly SingleFlight<Digest, ContentInfo> _flights = new();

    /// <summary>Creates an ingester over <paramref name="store"/>.</summary>
    public SingleFlightIngester(IContentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Makes sure the blob <paramref name="descriptor"/> is in the store, fetching it at most once
    /// however many callers ask at the same time. An interrupted earlier fetch is resumed.
    /// </summary>
    /// <param name="descriptor">The blob; its digest and size are verified before commit.</param>
    /// <param name="openAt">
    /// Opens the content starting at the given offset (0, or where an earlier ingest stopped), for
    /// example with an HTTP range request.
    /// </param>
    /// <param name="labels">Labels for the committed blob.</param>
    /// <param name="cancellationToken">Stops this caller's wait; the fetch stops once no caller waits.</param>
    /// <returns>The committed blob's info.</returns>
    public Task<ContentInfo> IngestAsync(Descriptor descriptor, Func<long, CancellationToken, Task<Stream>> openAt,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(openAt);
        return _flights.RunAsync(descriptor.Digest, token => FetchAsync(descriptor, openAt, labels, token), cancellationToken);
    }

    /// <summary>The ingest ref a fetch of <paramref name="digest"/> writes through (a lease holds it by this name).</summary>
    public static string IngestRef(Digest digest) => "fetch-" + digest;

    private async Task<ContentInfo> FetchAsync(Descriptor descriptor, Func<long, CancellationToken, Task<Stream>> openAt,
        IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        var options = new ContentWriterOptions { Ref = IngestRef(descriptor.Digest), Descriptor = descriptor };
        TimeSpan backoff = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            try
            {
                return await _store.InfoAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException)
            {
                // Not there yet: fetch it.
            }

            IContentWriter writer;
            try
            {
                writer = await _store.OpenWriterAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AlreadyExistsException)
            {
                continue;
            }
            catch (ResourceLockedException)
            {
                // Another process is fetching it; look again when it may have finished.
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxLockedBackoff.Ticks));
                continue;
            }

            try
            {
                await using (writer.ConfigureAwait(false))
                {
                    ContentStatus status = await writer.StatusAsync(cancellationToken).ConfigureAwait(false);
                    if (descriptor.Size > 0 && status.Offset > descriptor.Size)
                    {
                        await writer.TruncateAsync(0, cancellationToken).ConfigureAwait(false);
                        status = await writer.StatusAsync(cancellationToken).ConfigureAwait(false);
                    }

                    Stream remainder = await openAt(status.Offset, cancellationToken).ConfigureAwait(false);
                    await using (remainder.ConfigureAwait(false))
                    {
                        await ContentCopy.AppendAndCommitAsync(writer, remainder, descriptor.Size, descriptor.Digest, labels, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (DigestMismatchException)
            {
                // What was fetched (perhaps only the resumed part) is wrong: the next attempt must
                // start from zero rather than resume into the same mismatch.
                await _store.AbortAsync(options.Ref, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }
}
