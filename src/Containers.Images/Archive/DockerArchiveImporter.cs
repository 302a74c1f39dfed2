using System.Formats.Tar;
using System.Text.Json;
using Containers.Content;
using Containers.Distribution;
using Containers.Images.Layout;
using Containers.Oci;
using Containers.Oci.Image;

namespace Containers.Images.Archive;

/// <summary>
/// Imports docker-archives (<c>docker save</c>, <c>skopeo copy … docker-archive:</c>) into a content
/// store and an image store. The archive's layers are uncompressed tars: each is stored as it is,
/// under its own digest, which must equal the config's diff id; an OCI manifest is created over the
/// config and those layers. Symlinks are followed only inside the archive (legacy <c>&lt;id&gt;/layer.tar</c>
/// links); nothing is committed until every image of the archive checks out.
/// </summary>
public sealed class DockerArchiveImporter
{
    private const int MaxLinkHops = 16;

    private readonly IContentStore _store;
    private readonly IImageStore _images;

    /// <summary>Creates an importer that writes blobs into <paramref name="store"/> and names into <paramref name="images"/>.</summary>
    public DockerArchiveImporter(IContentStore store, IImageStore images)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(images);
        _store = store;
        _images = images;
    }

    /// <summary>Imports the docker-archive read from <paramref name="archive"/> (once, front to back).</summary>
    /// <returns>The image records created or moved, one per repo tag.</returns>
    /// <exception cref="InvalidArchiveException">A name is unsafe, a link leaves the archive, an entry is a device or hard link, a file is missing or duplicated.</exception>
    /// <exception cref="DigestMismatchException">A layer does not match its diff id.</exception>
    /// <exception cref="SizeLimitExceededException"><c>manifest.json</c>, a config or the entry count is over its bound.</exception>
    /// <exception cref="InvalidSpecException">A document is malformed (the field is named).</exception>
    public async Task<IReadOnlyList<Image>> ImportAsync(Stream archive, DockerArchiveImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        options ??= new DockerArchiveImportOptions();
        byte[]? manifestFile = null;
        Dictionary<string, byte[]> documents = new(StringComparer.Ordinal);
        Dictionary<string, (Digest Digest, long Size)> files = new(StringComparer.Ordinal);
        Dictionary<string, string> links = new(StringComparer.Ordinal);
        long documentBytes = 0;

        BlobStaging staging = new(_store);
        await using (staging.ConfigureAwait(false))
        {
            await foreach ((string name, TarEntry entry) in ArchiveEntries.ReadAsync(archive, options.MaxEntries, cancellationToken, (name, target) => AddLink(links, files, documents, name, target)).ConfigureAwait(false))
            {
                if (files.ContainsKey(name) || documents.ContainsKey(name) || links.ContainsKey(name) || (name == "manifest.json" && manifestFile is not null))
                {
                    throw new InvalidArchiveException(InvalidArchiveReason.DuplicateEntry, name, "appears twice");
                }

                Stream data = entry.DataStream ?? Stream.Null;
                if (name == "manifest.json")
                {
                    manifestFile = await OciJson.ReadBoundedAsync(data, options.MaxManifestBytes, name, cancellationToken).ConfigureAwait(false);
                }
                else if (name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith("/json", StringComparison.Ordinal) || name is "repositories" || name.EndsWith("/VERSION", StringComparison.Ordinal))
                {
                    byte[] bytes = await OciJson.ReadBoundedAsync(data, ImageSpecJson.MaxConfigBytes, name, cancellationToken).ConfigureAwait(false);
                    documentBytes += bytes.Length;
                    documents[name] = documentBytes <= options.MaxDocumentBytes
                        ? bytes
                        : throw new SizeLimitExceededException("JSON documents in the archive", options.MaxDocumentBytes);
                }
                else
                {
                    files[name] = await staging.StageAsync(data, default, entry.Length, cancellationToken).ConfigureAwait(false);
                }
            }

            List<DockerArchiveManifestEntry> manifestEntries = ParseManifestFile(manifestFile
                ?? throw new InvalidArchiveException(InvalidArchiveReason.Malformed, "manifest.json", "missing: not a docker-archive (or a pre-1.10 one without manifest.json)"));

            List<Digest> commitOrder = [];
            Dictionary<Digest, Dictionary<string, string>> gcLabels = [];
            List<(string Name, Descriptor Target)> records = [];
            for (int e = 0; e < manifestEntries.Count; e++)
            {
                DockerArchiveManifestEntry manifestEntry = manifestEntries[e];
                string configName = Resolve(manifestEntry.Config, links, $"[{e}].Config");
                byte[] configBytes = documents.TryGetValue(configName, out byte[]? found)
                    ? found
                    : throw new InvalidArchiveException(InvalidArchiveReason.MissingBlob, manifestEntry.Config, $"named by manifest.json [{e}].Config but not in the archive");
                ImageConfig config = ImageSpecJson.ParseConfig(configBytes);
                if (config.RootFs.DiffIds.Count != manifestEntry.Layers.Count)
                {
                    throw new InvalidSpecException("rootfs.diff_ids", $"{config.RootFs.DiffIds.Count} diff ids for {manifestEntry.Layers.Count} layers in {manifestEntry.Config}");
                }

                List<Descriptor> layers = [];
                for (int i = 0; i < manifestEntry.Layers.Count; i++)
                {
                    string layerName = Resolve(manifestEntry.Layers[i], links, $"[{e}].Layers[{i}]");
                    (Digest digest, long size) = files.TryGetValue(layerName, out var layerFile)
                        ? layerFile
                        : throw new InvalidArchiveException(InvalidArchiveReason.MissingBlob, manifestEntry.Layers[i], $"named by manifest.json [{e}].Layers[{i}] but not in the archive");
                    if (digest != config.RootFs.DiffIds[i])
                    {
                        // Layers of a docker-archive are uncompressed: the layer digest is the diff id.
                        throw new DigestMismatchException(config.RootFs.DiffIds[i], digest);
                    }

                    layers.Add(new Descriptor { MediaType = MediaTypes.ImageLayer, Digest = digest, Size = size });
                }

                (Digest configDigest, long configSize) = await staging.StageAsync(configBytes, default, cancellationToken).ConfigureAwait(false);
                Manifest manifest = new()
                {
                    SchemaVersion = 2,
                    MediaType = MediaTypes.ImageManifest,
                    Config = new Descriptor { MediaType = MediaTypes.ImageConfig, Digest = configDigest, Size = configSize },
                    Layers = layers,
                };
                byte[] manifestBytes = ImageSpecJson.Serialize(manifest);
                (Digest manifestDigest, long manifestSize) = await staging.StageAsync(manifestBytes, default, cancellationToken).ConfigureAwait(false);
                commitOrder.AddRange(layers.Select(l => l.Digest));
                commitOrder.Add(configDigest);
                commitOrder.Add(manifestDigest);
                gcLabels[manifestDigest] = new Dictionary<string, string>(
                    layers.Select((l, i) => KeyValuePair.Create($"containerd.io/gc.ref.content.l.{i}", l.Digest.ToString()))
                        .Prepend(KeyValuePair.Create("containerd.io/gc.ref.content.config", configDigest.ToString())),
                    StringComparer.Ordinal);

                Descriptor target = new()
                {
                    MediaType = MediaTypes.ImageManifest,
                    Digest = manifestDigest,
                    Size = manifestSize,
                    Platform = new Platform { OS = config.OS, Architecture = config.Architecture, Variant = config.Variant },
                };
                foreach (string tag in manifestEntry.RepoTags ?? [])
                {
                    ImageReference reference;
                    try
                    {
                        reference = ImageReference.ParseDockerReference(tag);
                    }
                    catch (InvalidReferenceException ex)
                    {
                        throw new InvalidSpecException($"[{e}].RepoTags", $"\"{tag}\" is not a valid reference", ex);
                    }

                    records.Add((reference.ToString(), target));
                }
            }

            await staging.CommitAsync(commitOrder, gcLabels, cancellationToken).ConfigureAwait(false);
            List<Image> images = [];
            foreach ((string name, Descriptor target) in records)
            {
                images.Add(await ImageRecords.CreateOrUpdateAsync(_images, name, target, null, cancellationToken).ConfigureAwait(false));
            }

            return images;
        }
    }

    private static List<DockerArchiveManifestEntry> ParseManifestFile(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, DockerArchiveJsonContext.Default.ListDockerArchiveManifestEntry)
                ?? throw new InvalidSpecException(string.Empty, "manifest.json is null");
        }
        catch (JsonException e)
        {
            throw OciJson.ToSpecException(e);
        }
    }

    private static void AddLink(Dictionary<string, string> links, Dictionary<string, (Digest, long)> files, Dictionary<string, byte[]> documents, string name, string target)
    {
        if (links.ContainsKey(name) || files.ContainsKey(name) || documents.ContainsKey(name))
        {
            throw new InvalidArchiveException(InvalidArchiveReason.DuplicateEntry, name, "appears twice");
        }

        links[name] = ArchiveEntryName.ResolveLink(name, target)
            ?? throw new InvalidArchiveException(InvalidArchiveReason.UnsafePath, name, $"symbolic link to \"{target}\" leaves the archive");
    }

    /// <summary>A manifest.json path, normalised and with in-archive symlinks followed.</summary>
    private static string Resolve(string path, Dictionary<string, string> links, string field)
    {
        string name;
        try
        {
            name = ArchiveEntryName.Normalize(path);
        }
        catch (InvalidArchiveException e)
        {
            throw new InvalidArchiveException(InvalidArchiveReason.UnsafePath, path, $"manifest.json {field}: {e.Problem}", e);
        }

        for (int hop = 0; links.TryGetValue(name, out string? target); hop++)
        {
            if (hop >= MaxLinkHops)
            {
                throw new InvalidArchiveException(InvalidArchiveReason.LinkOrSpecialFile, path, $"more than {MaxLinkHops} symbolic links");
            }

            name = target;
        }

        return name;
    }
}
