using System.Formats.Tar;
using Containers.Distribution;
using Containers.Oci;
using Containers.Oci.Image;
using Containers.Content;

namespace Containers.Images.Layout;

/// <summary>
/// Imports OCI image layouts — directories and tars, such as skopeo's <c>oci:</c> and
/// <c>oci-archive:</c> — into a content store and an image store. Every blob reachable from
/// <c>index.json</c> is checked against its digest and size, and nothing is committed until all are:
/// bad input (a wrong digest, a missing blob, an unsafe name, a link, an oversized document) fails
/// with a typed error and leaves both stores as they were.
/// </summary>
public sealed class OciLayoutImporter
{
    /// <summary>The largest blob kept in memory while reading a tar, so manifests and configs can be parsed later.</summary>
    private const int MaxInMemoryBlob = ImageSpecJson.MaxConfigBytes;

    private readonly IContentStore _store;
    private readonly IImageStore _images;

    /// <summary>Creates an importer that writes blobs into <paramref name="store"/> and names into <paramref name="images"/>.</summary>
    public OciLayoutImporter(IContentStore store, IImageStore images)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(images);
        _store = store;
        _images = images;
    }

    /// <summary>Imports the OCI layout directory <paramref name="directory"/>.</summary>
    /// <returns>The image records created or moved, one per named entry of <c>index.json</c>.</returns>
    /// <exception cref="InvalidArchiveException">The layout is malformed, lacks a blob, or has a symlink or special file where a blob should be.</exception>
    /// <exception cref="DigestMismatchException">A blob's content does not match its name or descriptor.</exception>
    /// <exception cref="SizeLimitExceededException"><c>index.json</c> or a manifest is over its bound.</exception>
    /// <exception cref="InvalidSpecException">A document is malformed (the field is named).</exception>
    public async Task<IReadOnlyList<Image>> ImportDirectoryAsync(string directory, OciImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new OciImportOptions();
        using LayoutDirectory layout = new(directory);
        byte[] layoutFile = await ReadFileAsync(layout, ImageLayout.FileName, ImageSpecJson.MaxSmallDocumentBytes, cancellationToken).ConfigureAwait(false);
        byte[] indexFile = await ReadFileAsync(layout, "index.json", options.MaxIndexBytes, cancellationToken).ConfigureAwait(false);
        ImageIndex index = ParseLayout(layoutFile, indexFile, options);

        ImageGraph graph = await ImageGraph.WalkAsync(index.Manifests, async (descriptor, max, token) =>
        {
            using FileStream stream = OpenBlob(layout, descriptor.Digest);
            byte[] bytes = await OciJson.ReadBoundedAsync(stream, max, $"{descriptor.MediaType} {descriptor.Digest}", token).ConfigureAwait(false);
            Verify(descriptor, bytes);
            return bytes;
        }, cancellationToken).ConfigureAwait(false);

        BlobStaging staging = new(_store);
        await using (staging.ConfigureAwait(false))
        {
            foreach (Descriptor blob in graph.Blobs)
            {
                using FileStream stream = OpenBlob(layout, blob.Digest);
                await staging.StageAsync(stream, blob.Digest, blob.Size, cancellationToken).ConfigureAwait(false);
            }

            return await CommitAsync(staging, graph, index, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Imports an OCI layout tar read from <paramref name="archive"/> (read once, front to back).</summary>
    /// <returns>The image records created or moved, one per named entry of <c>index.json</c>.</returns>
    /// <exception cref="InvalidArchiveException">An entry name is unsafe, an entry is a link or device, a file is duplicated or missing.</exception>
    /// <exception cref="DigestMismatchException">A blob's content does not match its name or descriptor.</exception>
    /// <exception cref="SizeLimitExceededException"><c>index.json</c>, a manifest or the entry count is over its bound.</exception>
    /// <exception cref="InvalidSpecException">A document is malformed (the field is named).</exception>
    public async Task<IReadOnlyList<Image>> ImportTarAsync(Stream archive, OciImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        options ??= new OciImportOptions();
        byte[]? layoutFile = null;
        byte[]? indexFile = null;
        Dictionary<Digest, byte[]> documents = [];
        long documentBytes = 0;

        BlobStaging staging = new(_store);
        await using (staging.ConfigureAwait(false))
        {
            await foreach ((string name, TarEntry entry) in ArchiveEntries.ReadAsync(archive, options.MaxEntries, cancellationToken).ConfigureAwait(false))
            {
                Stream data = entry.DataStream ?? Stream.Null;
                if (name == ImageLayout.FileName)
                {
                    layoutFile = layoutFile is null
                        ? await OciJson.ReadBoundedAsync(data, ImageSpecJson.MaxSmallDocumentBytes, name, cancellationToken).ConfigureAwait(false)
                        : throw new InvalidArchiveException(InvalidArchiveReason.DuplicateEntry, name, "appears twice");
                }
                else if (name == "index.json")
                {
                    indexFile = indexFile is null
                        ? await OciJson.ReadBoundedAsync(data, options.MaxIndexBytes, name, cancellationToken).ConfigureAwait(false)
                        : throw new InvalidArchiveException(InvalidArchiveReason.DuplicateEntry, name, "appears twice");
                }
                else if (ArchiveEntryName.ParseBlobPath(name) is { } digest)
                {
                    if (documents.ContainsKey(digest) || staging.Contains(digest))
                    {
                        throw new InvalidArchiveException(InvalidArchiveReason.DuplicateEntry, name, "appears twice");
                    }

                    if (entry.Length <= MaxInMemoryBlob)
                    {
                        // Small blobs may be manifests or configs, needed after the scan: keep the JSON ones.
                        byte[] bytes = await OciJson.ReadBoundedAsync(data, MaxInMemoryBlob, name, cancellationToken).ConfigureAwait(false);
                        await staging.StageAsync(bytes, digest, cancellationToken).ConfigureAwait(false);
                        if (bytes.Length > 0 && bytes[0] == (byte)'{')
                        {
                            documentBytes += bytes.Length;
                            documents[digest] = documentBytes <= options.MaxDocumentBytes
                                ? bytes
                                : throw new SizeLimitExceededException("JSON documents in the archive", options.MaxDocumentBytes);
                        }
                    }
                    else
                    {
                        await staging.StageAsync(data, digest, entry.Length, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            ImageIndex index = ParseLayout(
                layoutFile ?? throw new InvalidArchiveException(InvalidArchiveReason.Malformed, ImageLayout.FileName, "missing: not an OCI layout"),
                indexFile ?? throw new InvalidArchiveException(InvalidArchiveReason.Malformed, "index.json", "missing"),
                options);
            ImageGraph graph = await ImageGraph.WalkAsync(index.Manifests, (descriptor, max, token) =>
            {
                string name = $"blobs/{descriptor.Digest.AlgorithmName}/{descriptor.Digest.Encoded}";
                if (!documents.TryGetValue(descriptor.Digest, out byte[]? bytes))
                {
                    throw staging.Contains(descriptor.Digest)
                        ? new InvalidSpecException(string.Empty, $"{name} is described as {descriptor.MediaType} but is not a JSON document")
                        : new InvalidArchiveException(InvalidArchiveReason.MissingBlob, name, "named by a descriptor but not in the archive");
                }

                if (bytes.Length > max)
                {
                    throw new SizeLimitExceededException($"{descriptor.MediaType} {descriptor.Digest}", max);
                }

                Verify(descriptor, bytes);
                return Task.FromResult(bytes);
            }, cancellationToken).ConfigureAwait(false);

            foreach (Descriptor blob in graph.Blobs)
            {
                string name = $"blobs/{blob.Digest.AlgorithmName}/{blob.Digest.Encoded}";
                if (!staging.Sizes.TryGetValue(blob.Digest, out long size))
                {
                    throw new InvalidArchiveException(InvalidArchiveReason.MissingBlob, name, "named by a descriptor but not in the archive");
                }

                if (size != blob.Size)
                {
                    throw new DigestMismatchException(blob.Digest, blob.Size, size);
                }
            }

            return await CommitAsync(staging, graph, index, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The name an <c>index.json</c> entry is recorded under: containerd's full-name annotation,
    /// else the ref name (prefixed by <paramref name="baseName"/> when it is a bare tag), else none.
    /// </summary>
    internal static string? ImageNameOf(Descriptor descriptor, string? baseName)
    {
        if (descriptor.Annotations is not { } annotations)
        {
            return null;
        }

        if (annotations.TryGetValue(OciLayoutAnnotations.ImageName, out string? full) && full.Length > 0)
        {
            return full;
        }

        if (!annotations.TryGetValue(OciLayoutAnnotations.RefName, out string? refName) || refName.Length == 0)
        {
            return null;
        }

        if (baseName is not null && !refName.Contains('/') && !refName.Contains(':'))
        {
            return ImageReference.Parse(baseName).WithTag(refName).ToString();
        }

        return refName;
    }

    private async Task<IReadOnlyList<Image>> CommitAsync(BlobStaging staging, ImageGraph graph, ImageIndex index, OciImportOptions options, CancellationToken cancellationToken)
    {
        // Names are worked out first: a bad one must fail before anything is committed.
        List<(string Name, Descriptor Target)> records = [];
        for (int i = 0; i < index.Manifests.Count; i++)
        {
            try
            {
                if (ImageNameOf(index.Manifests[i], options.BaseName) is { } name)
                {
                    records.Add((name, index.Manifests[i]));
                }
            }
            catch (InvalidReferenceException e)
            {
                throw new InvalidSpecException($"manifests[{i}].annotations", e.Message, e);
            }
        }

        // Children first, so a parent never exists without what it names.
        await staging.CommitAsync(Enumerable.Reverse(graph.Blobs).Select(b => b.Digest), graph.GcLabels, cancellationToken).ConfigureAwait(false);
        List<Image> images = [];
        foreach ((string name, Descriptor target) in records)
        {
            images.Add(await ImageRecords.CreateOrUpdateAsync(_images, name, target, null, cancellationToken).ConfigureAwait(false));
        }

        return images;
    }

    private static ImageIndex ParseLayout(byte[] layoutFile, byte[] indexFile, OciImportOptions options)
    {
        ImageLayout layout = ImageSpecJson.ParseLayout(layoutFile);
        if (layout.ImageLayoutVersion != ImageLayout.CurrentVersion)
        {
            throw new InvalidArchiveException(InvalidArchiveReason.UnsupportedVersion, ImageLayout.FileName, $"layout version \"{layout.ImageLayoutVersion}\" is not {ImageLayout.CurrentVersion}");
        }

        return ImageSpecJson.ParseIndex(indexFile, options.MaxIndexBytes);
    }

    private static async Task<byte[]> ReadFileAsync(LayoutDirectory layout, string name, long maxBytes, CancellationToken cancellationToken)
    {
        using FileStream stream = layout.TryOpen(name) ?? throw new InvalidArchiveException(InvalidArchiveReason.Malformed, name, "missing");
        return await OciJson.ReadBoundedAsync(stream, maxBytes, name, cancellationToken).ConfigureAwait(false);
    }

    private static FileStream OpenBlob(LayoutDirectory layout, Digest digest)
    {
        string name = $"blobs/{digest.AlgorithmName}/{digest.Encoded}";
        return layout.TryOpen(name) ?? throw new InvalidArchiveException(InvalidArchiveReason.MissingBlob, name, "named by a descriptor but not in the layout");
    }

    private static void Verify(Descriptor descriptor, byte[] bytes)
    {
        if (bytes.LongLength != descriptor.Size)
        {
            throw new DigestMismatchException(descriptor.Digest, descriptor.Size, bytes.LongLength);
        }

        Digest actual = Digest.Compute(bytes, descriptor.Digest.Algorithm);
        if (actual != descriptor.Digest)
        {
            throw new DigestMismatchException(descriptor.Digest, actual);
        }
    }
}
