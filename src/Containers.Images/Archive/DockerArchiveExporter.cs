using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Containers.Content;
using Containers.Distribution;
using Containers.Images.Layout;
using Containers.Oci.Image;

namespace Containers.Images.Archive;

/// <summary>
/// Writes images as a docker-archive (the <c>docker save</c> format that <c>docker load</c> and
/// <c>skopeo copy docker-archive:</c> read): <c>manifest.json</c>, <c>repositories</c>, the config as
/// <c>&lt;hex&gt;.json</c>, and every layer uncompressed as <c>&lt;diff id hex&gt;.tar</c>. Each
/// decompressed layer is checked against the config's diff id before it is written.
/// </summary>
public sealed class DockerArchiveExporter
{
    private const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly IContentStore _store;

    /// <summary>Creates an exporter that reads from <paramref name="store"/>.</summary>
    public DockerArchiveExporter(IContentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Writes <paramref name="images"/> as one docker-archive to <paramref name="destination"/>, which is left open.</summary>
    /// <returns>The archive's <c>manifest.json</c> entries.</returns>
    /// <exception cref="NotFoundException">A blob is missing from the content store, or no manifest matches the platform.</exception>
    /// <exception cref="DigestMismatchException">A decompressed layer does not match its diff id.</exception>
    /// <exception cref="InvalidSpecException">A config's diff ids do not match the manifest's layers.</exception>
    public async Task<IReadOnlyList<DockerArchiveManifestEntry>> ExportAsync(IReadOnlyList<Image> images, Stream destination,
        DockerArchiveExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new DockerArchiveExportOptions();
        List<DockerArchiveManifestEntry> entries = [];
        Dictionary<string, Dictionary<string, string>> repositories = new(StringComparer.Ordinal);
        HashSet<string> written = new(StringComparer.Ordinal);
        string temp = Path.Combine(options.TempDirectory ?? Path.GetTempPath(), "docker-archive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            TarWriter writer = new(destination, TarEntryFormat.Pax, leaveOpen: true);
            await using (writer.ConfigureAwait(false))
            {
                foreach (Image image in images)
                {
                    ArgumentNullException.ThrowIfNull(image, nameof(images));
                    Descriptor manifestDescriptor = await SelectManifestAsync(image, options.Platform, cancellationToken).ConfigureAwait(false);
                    Manifest manifest = ImageSpecJson.ParseManifest(await ContentDocuments.ReadAsync(_store, manifestDescriptor, ImageSpecJson.MaxManifestBytes, cancellationToken).ConfigureAwait(false));
                    byte[] configBytes = await ContentDocuments.ReadAsync(_store, manifest.Config, ImageSpecJson.MaxConfigBytes, cancellationToken).ConfigureAwait(false);
                    ImageConfig config = ImageSpecJson.ParseConfig(configBytes);
                    IList<Digest> diffIds = config.RootFs.DiffIds;
                    if (diffIds.Count != manifest.Layers.Count)
                    {
                        throw new InvalidSpecException("rootfs.diff_ids", $"{diffIds.Count} diff ids for {manifest.Layers.Count} layers in {manifestDescriptor.Digest}");
                    }

                    List<string> layerNames = [];
                    for (int i = 0; i < manifest.Layers.Count; i++)
                    {
                        string name = diffIds[i].Encoded + ".tar";
                        layerNames.Add(name);
                        if (written.Add(name))
                        {
                            await WriteLayerAsync(writer, name, manifest.Layers[i], diffIds[i], temp, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    string configName = manifest.Config.Digest.Encoded + ".json";
                    if (written.Add(configName))
                    {
                        await WriteEntryAsync(writer, configName, new MemoryStream(configBytes, writable: false), cancellationToken).ConfigureAwait(false);
                    }

                    List<string> tags = [];
                    if (ImageReference.TryParse(image.Name, out ImageReference? reference) && reference.Tag is { } tag)
                    {
                        tags.Add(reference.FamiliarString);
                        if (layerNames.Count > 0)
                        {
                            Dictionary<string, string> repository = repositories.TryGetValue(reference.FamiliarName, out var existing) ? existing : repositories[reference.FamiliarName] = new(StringComparer.Ordinal);
                            repository[tag] = diffIds[^1].Encoded;
                        }
                    }

                    entries.Add(new DockerArchiveManifestEntry { Config = configName, RepoTags = tags, Layers = layerNames });
                }

                await WriteEntryAsync(writer, "manifest.json",
                    new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(entries, DockerArchiveJsonContext.Default.ListDockerArchiveManifestEntry)), cancellationToken).ConfigureAwait(false);
                await WriteEntryAsync(writer, "repositories",
                    new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(repositories, DockerArchiveJsonContext.Default.DictionaryStringDictionaryStringString)), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        return entries;
    }

    private async Task<Descriptor> SelectManifestAsync(Image image, PlatformMatcher platform, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsManifest(image.Target.MediaType))
        {
            return image.Target;
        }

        if (!MediaTypes.IsIndex(image.Target.MediaType))
        {
            throw new UnsupportedException($"image \"{image.Name}\" points at \"{image.Target.MediaType}\", not a manifest or index");
        }

        ImageIndex index = ImageSpecJson.ParseIndex(await ContentDocuments.ReadAsync(_store, image.Target, ImageSpecJson.MaxIndexBytes, cancellationToken).ConfigureAwait(false));
        return platform.SelectBest(index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)))
            ?? throw new NotFoundException("manifest for platform", $"{image.Name} ({string.Join(", ", platform.Accepted.Select(Platforms.Format))})");
    }

    /// <summary>Writes a layer uncompressed, checked against its diff id; compressed layers go through a temp file so the entry size is known.</summary>
    private async Task WriteLayerAsync(TarWriter writer, string name, Descriptor layer, Digest diffId, string temp, CancellationToken cancellationToken)
    {
        Compression compression = MediaTypes.LayerCompression(layer.MediaType);
        IContentReader reader = await _store.OpenReaderAsync(layer, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (compression == Compression.None)
            {
                if (layer.Digest != diffId)
                {
                    throw new DigestMismatchException(diffId, layer.Digest);
                }

                await WriteEntryAsync(writer, name, reader.AsStream(), cancellationToken).ConfigureAwait(false);
                return;
            }

            string path = Path.Combine(temp, name);
            FileStream file = new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous });
            await using (file.ConfigureAwait(false))
            {
                using var hasher = Digest.CreateHasher(diffId.Algorithm);
                Stream decompressed = compression == Compression.Gzip
                    ? new GZipStream(reader.AsStream(), CompressionMode.Decompress)
                    : new ZstdSharp.DecompressionStream(reader.AsStream());
                await using (decompressed.ConfigureAwait(false))
                {
                    byte[] buffer = ArrayPool<byte>.Shared.Rent(ContentCopy.BufferSize);
                    try
                    {
                        int read;
                        while ((read = await decompressed.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                        {
                            hasher.AppendData(buffer, 0, read);
                            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                Digest actual = Digest.FromHash(diffId.Algorithm, hasher.GetHashAndReset());
                if (actual != diffId)
                {
                    throw new DigestMismatchException(diffId, actual);
                }

                file.Position = 0;
                await WriteEntryAsync(writer, name, file, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteEntryAsync(TarWriter writer, string name, Stream data, CancellationToken cancellationToken)
    {
        PaxTarEntry entry = new(TarEntryType.RegularFile, name)
        {
            Mode = EntryMode,
            // Fixed times and owners: the same images always give the same archive.
            ModificationTime = DateTimeOffset.UnixEpoch,
            DataStream = data,
        };
        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}
