using System.Buffers;
using Containers.Content;
using Containers.Oci.Image;

namespace Containers.Images.Layout;

/// <summary>
/// Holds the blobs of an import in open, uncommitted ingests until the whole import has been
/// verified, then commits the ones that are wanted and aborts the rest. Bad input found at any point
/// before <see cref="CommitAsync"/> therefore leaves no blob committed; disposing aborts whatever
/// was not committed.
/// </summary>
internal sealed class BlobStaging : IAsyncDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly IContentStore _store;
    private readonly string _refPrefix = "import-" + Guid.NewGuid().ToString("N") + "-";
    private readonly Dictionary<Digest, IContentWriter> _staged = [];
    private readonly HashSet<Digest> _present = [];
    private readonly List<string> _refs = [];
    private int _count;

    public BlobStaging(IContentStore store) => _store = store;

    /// <summary>How many blobs are held (staged or found already present).</summary>
    public int Count => _staged.Count + _present.Count;

    /// <summary>Whether <paramref name="digest"/> was staged or is already in the store.</summary>
    public bool Contains(Digest digest) => _staged.ContainsKey(digest) || _present.Contains(digest);

    /// <summary>The size of a staged or present blob.</summary>
    public Dictionary<Digest, long> Sizes { get; } = [];

    /// <summary>
    /// Reads <paramref name="source"/> to its end into a new ingest and verifies it against
    /// <paramref name="expected"/> when given (digest, and size when <paramref name="expectedSize"/> is not null).
    /// </summary>
    /// <param name="source">The content.</param>
    /// <param name="expected">The digest the content must have, or <c>default</c> to compute it.</param>
    /// <param name="expectedSize">The size it must have, when known.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The content's digest and size.</returns>
    /// <exception cref="DigestMismatchException">The content is not what was expected.</exception>
    public async Task<(Digest Digest, long Size)> StageAsync(Stream source, Digest expected, long? expectedSize, CancellationToken cancellationToken)
    {
        if (!expected.IsEmpty && Contains(expected))
        {
            // Same blob twice (or already in the store): its bytes still have to be what they claim.
            (Digest digest, long size) = await HashAsync(source, expected.Algorithm, cancellationToken).ConfigureAwait(false);
            Check(expected, expectedSize, digest, size);
            return (digest, size);
        }

        string reference = _refPrefix + _count++;
        Descriptor? descriptor = expected.IsEmpty ? null : new Descriptor { MediaType = "application/octet-stream", Digest = expected, Size = expectedSize ?? 0 };
        IContentWriter writer;
        try
        {
            writer = await _store.OpenWriterAsync(new ContentWriterOptions { Ref = reference, Descriptor = descriptor }, cancellationToken).ConfigureAwait(false);
        }
        catch (AlreadyExistsException)
        {
            (Digest digest, long size) = await HashAsync(source, expected.Algorithm, cancellationToken).ConfigureAwait(false);
            Check(expected, expectedSize, digest, size);
            _present.Add(digest);
            Sizes[digest] = size;
            return (digest, size);
        }

        _refs.Add(reference);
        bool keep = false;
        try
        {
            long written = 0;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    written += read;
                    if (expectedSize is { } limit && written > limit)
                    {
                        throw new DigestMismatchException(expected, limit, written);
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Digest actual = writer.Digest;
            Check(expected, expectedSize, actual, written);
            if (Contains(actual) || await ExistsAsync(actual, cancellationToken).ConfigureAwait(false))
            {
                _present.Add(actual);
                Sizes[actual] = written;
                return (actual, written);
            }

            _staged[actual] = writer;
            Sizes[actual] = written;
            keep = true;
            return (actual, written);
        }
        finally
        {
            if (!keep)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stages bytes already in memory (a generated manifest, or a small document read whole).</summary>
    public Task<(Digest Digest, long Size)> StageAsync(byte[] content, Digest expected, CancellationToken cancellationToken) =>
        StageAsync(new MemoryStream(content, writable: false), expected, content.LongLength, cancellationToken);

    /// <summary>
    /// Commits the wanted blobs with their labels; blobs that were already present get the labels
    /// added. Staged blobs that are not wanted are aborted on dispose.
    /// </summary>
    public async Task CommitAsync(IEnumerable<Digest> wanted, IReadOnlyDictionary<Digest, Dictionary<string, string>> labels, CancellationToken cancellationToken)
    {
        foreach (Digest digest in wanted.Distinct())
        {
            IReadOnlyDictionary<string, string>? blobLabels = labels.GetValueOrDefault(digest);
            if (_staged.Remove(digest, out IContentWriter? writer))
            {
                await using (writer.ConfigureAwait(false))
                {
                    try
                    {
                        await writer.CommitAsync(Sizes[digest], digest, blobLabels, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    catch (AlreadyExistsException)
                    {
                        // Committed meanwhile by someone else: fall through and label it.
                    }
                }
            }
            else if (!_present.Contains(digest))
            {
                throw new InvalidOperationException($"blob {digest} was never staged");
            }

            if (blobLabels is { Count: > 0 })
            {
                ContentInfo info = await _store.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
                await _store.UpdateAsync(new ContentInfo { Digest = digest, Size = info.Size, Labels = blobLabels },
                    blobLabels.Keys.Select(k => "labels." + k), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IContentWriter writer in _staged.Values)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        _staged.Clear();
        foreach (string reference in _refs)
        {
            try
            {
                await _store.AbortAsync(reference).ConfigureAwait(false);
            }
            catch (NotFoundException)
            {
                // Committed (the ingest went with it) or never written.
            }
        }
    }

    private async Task<bool> ExistsAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            await _store.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private static void Check(Digest expected, long? expectedSize, Digest actual, long size)
    {
        if (expectedSize is { } wantedSize && wantedSize != size)
        {
            throw new DigestMismatchException(expected.IsEmpty ? actual : expected, wantedSize, size);
        }

        if (!expected.IsEmpty && expected != actual)
        {
            throw new DigestMismatchException(expected, actual);
        }
    }

    private static async Task<(Digest, long)> HashAsync(Stream source, DigestAlgorithm algorithm, CancellationToken cancellationToken)
    {
        using var hasher = Digest.CreateHasher(algorithm);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long size = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                size += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (Digest.FromHash(algorithm, hasher.GetHashAndReset()), size);
    }
}
