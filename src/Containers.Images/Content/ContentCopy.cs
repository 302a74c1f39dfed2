using System.Buffers;
using Containers.Oci.Image;

namespace Containers.Content;

/// <summary>
/// Copies streams into a content store the way containerd's <c>content.Copy</c> and
/// <c>content.WriteBlob</c> do: resuming where an earlier ingest stopped, and treating content that
/// is already committed as success.
/// </summary>
public static class ContentCopy
{
    /// <summary>The copy buffer: large enough that per-call overhead vanishes next to hashing.</summary>
    public const int BufferSize = 1 << 20;

    /// <summary>
    /// Writes <paramref name="source"/> (read from its start) as the blob <paramref name="descriptor"/>
    /// through an ingest named <paramref name="reference"/>. Does nothing when the blob exists.
    /// </summary>
    /// <exception cref="DigestMismatchException">The source is not the described content.</exception>
    public static async Task WriteBlobAsync(IContentStore store, string reference, Stream source, Descriptor descriptor,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(descriptor);
        IContentWriter writer;
        try
        {
            writer = await store.OpenWriterAsync(new ContentWriterOptions { Ref = reference, Descriptor = descriptor }, cancellationToken).ConfigureAwait(false);
        }
        catch (AlreadyExistsException)
        {
            return;
        }

        await using (writer.ConfigureAwait(false))
        {
            await CopyAsync(writer, source, descriptor.Size, descriptor.Digest, labels, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/>, read from its start, into <paramref name="writer"/> and
    /// commits. When the writer resumes an ingest, the bytes it already holds are skipped in the
    /// source (by seeking when it can, else by reading past them).
    /// </summary>
    /// <param name="writer">The open ingest.</param>
    /// <param name="source">The whole content.</param>
    /// <param name="size">The expected size; 0 when unknown.</param>
    /// <param name="expected">The expected digest; <c>default</c> when unknown.</param>
    /// <param name="labels">Labels for the committed blob.</param>
    /// <param name="cancellationToken">Cancels the copy; the ingest keeps what was written.</param>
    public static async Task CopyAsync(IContentWriter writer, Stream source, long size, Digest expected,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(source);
        ContentStatus status = await writer.StatusAsync(cancellationToken).ConfigureAwait(false);
        long offset = status.Offset;
        if (size > 0 && offset > size)
        {
            // The ingest holds more than the content can have: it is not a prefix of it.
            await writer.TruncateAsync(0, cancellationToken).ConfigureAwait(false);
            offset = 0;
        }

        if (offset > 0)
        {
            if (source.CanSeek)
            {
                source.Seek(offset, SeekOrigin.Begin);
            }
            else
            {
                await SkipAsync(source, offset, cancellationToken).ConfigureAwait(false);
            }
        }

        await AppendAndCommitAsync(writer, source, size, expected, labels, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends all of <paramref name="remainder"/> — a source already positioned at the writer's
    /// offset, such as an HTTP range response — and commits. Content already committed is success.
    /// </summary>
    public static async Task AppendAndCommitAsync(IContentWriter writer, Stream remainder, long size, Digest expected,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(remainder);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await remainder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        try
        {
            await writer.CommitAsync(size, expected, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (AlreadyExistsException)
        {
            // Someone else committed the same content first; it is there, which is what was asked.
        }
    }

    private static async Task SkipAsync(Stream source, long count, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, BufferSize));
        try
        {
            while (count > 0)
            {
                int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException($"the source ended {count} bytes before the ingest's resume offset");
                }

                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
