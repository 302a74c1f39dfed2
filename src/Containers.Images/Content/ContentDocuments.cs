using Containers.Oci.Image;

namespace Containers.Content;

/// <summary>Bounded reads of small documents (manifests, indexes, configs) from a content store.</summary>
internal static class ContentDocuments
{
    /// <summary>Reads the whole blob, refusing one larger than <paramref name="maxBytes"/> or of another size than described.</summary>
    public static async Task<byte[]> ReadAsync(IContentStore store, Descriptor descriptor, long maxBytes, CancellationToken cancellationToken)
    {
        if (descriptor.Size > maxBytes)
        {
            throw new SizeLimitExceededException($"{descriptor.MediaType} {descriptor.Digest}", maxBytes);
        }

        IContentReader reader = await store.OpenReaderAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (reader.Size != descriptor.Size)
            {
                throw new DigestMismatchException(descriptor.Digest, descriptor.Size, reader.Size);
            }

            byte[] content = new byte[reader.Size];
            int filled = 0;
            while (filled < content.Length)
            {
                int read = await reader.ReadAtAsync(content.AsMemory(filled), filled, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"blob {descriptor.Digest} ended early in the content store");
                }

                filled += read;
            }

            return content;
        }
    }
}
