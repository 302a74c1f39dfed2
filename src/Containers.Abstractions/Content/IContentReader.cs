namespace Containers.Content;

/// <summary>Random-access read of one committed blob. Reads may run concurrently.</summary>
public interface IContentReader : IAsyncDisposable, IDisposable
{
    /// <summary>The size of the blob in bytes.</summary>
    long Size { get; }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>.Length bytes starting at <paramref name="offset"/>.
    /// Returns the number of bytes read, which is 0 only at or past the end of the blob.
    /// </summary>
    ValueTask<int> ReadAtAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken = default);

    /// <summary>
    /// A read-only, seekable stream over the blob with its own position, starting at 0. Disposing
    /// the stream does not dispose this reader.
    /// </summary>
    Stream AsStream();
}
