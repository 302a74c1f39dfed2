using System.Formats.Tar;
using Containers.Content;
using Containers.Distribution;
using Containers.Oci;
using Containers.Oci.Image;

namespace Containers.Images.Layout;

/// <summary>
/// Writes images from a content store as an OCI image layout — a directory or a tar of one — that
/// skopeo (<c>oci:</c>, <c>oci-archive:</c>), umoci and containerd can read: <c>oci-layout</c>,
/// <c>index.json</c> naming each image with <c>org.opencontainers.image.ref.name</c>, and every
/// reachable blob under <c>blobs/&lt;algorithm&gt;/&lt;encoded&gt;</c>.
/// </summary>
public sealed class OciLayoutExporter
{
    private static readonly UnixFileMode BlobFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly UnixFileMode DirectoryMode = BlobFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly IContentStore _store;

    /// <summary>Creates an exporter that reads from <paramref name="store"/>.</summary>
    public OciLayoutExporter(IContentStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// Exports <paramref name="images"/> into the layout directory <paramref name="directory"/>,
    /// creating it, or adding to the layout already there (entries with the same ref name are replaced).
    /// Blobs are written under a temporary name and renamed; <c>index.json</c> is replaced last, atomically.
    /// </summary>
    /// <returns>The descriptors written to <c>index.json</c> for these images.</returns>
    /// <exception cref="NotFoundException">A blob the images need is not in the content store, or no manifest matches the platform.</exception>
    public async Task<IReadOnlyList<Descriptor>> ExportToDirectoryAsync(IReadOnlyList<Image> images, string directory, OciExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        (List<Descriptor> entries, ImageGraph graph) = await PlanAsync(images, options ?? new OciExportOptions(), cancellationToken).ConfigureAwait(false);

        Directory.CreateDirectory(directory, DirectoryMode);
        string layoutFile = Path.Combine(directory, ImageLayout.FileName);
        string indexFile = Path.Combine(directory, "index.json");
        List<Descriptor> existing = [];
        if (File.Exists(layoutFile))
        {
            ImageLayout layout = await OciJson.ReadFileAsync(layoutFile, ImageSpecJsonContext.GoCompatible.ImageLayout, ImageSpecJson.MaxSmallDocumentBytes, cancellationToken).ConfigureAwait(false);
            if (layout.ImageLayoutVersion != ImageLayout.CurrentVersion)
            {
                throw new InvalidArchiveException(InvalidArchiveReason.UnsupportedVersion, ImageLayout.FileName, $"layout version \"{layout.ImageLayoutVersion}\" is not {ImageLayout.CurrentVersion}");
            }

            if (File.Exists(indexFile))
            {
                ImageIndex old = await OciJson.ReadFileAsync(indexFile, ImageSpecJsonContext.GoCompatible.ImageIndex, ImageSpecJson.MaxIndexBytes, cancellationToken).ConfigureAwait(false);
                HashSet<string> replaced = [.. entries.Select(RefNameOf).OfType<string>()];
                existing = [.. old.Manifests.Where(m => RefNameOf(m) is not { } name || !replaced.Contains(name))];
            }
        }
        else
        {
            await WriteAtomicallyAsync(layoutFile, ImageSpecJson.Serialize(new ImageLayout { ImageLayoutVersion = ImageLayout.CurrentVersion }), cancellationToken).ConfigureAwait(false);
        }

        foreach (Descriptor blob in graph.Blobs)
        {
            string blobDirectory = Path.Combine(directory, "blobs", blob.Digest.AlgorithmName);
            Directory.CreateDirectory(blobDirectory, DirectoryMode);
            string path = Path.Combine(blobDirectory, blob.Digest.Encoded);
            var info = new FileInfo(path);
            if (info.Exists && info.LinkTarget is null && info.Length == blob.Size)
            {
                continue;
            }

            IContentReader reader = await _store.OpenReaderAsync(blob, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                string temp = Path.Combine(blobDirectory, ".tmp-" + Guid.NewGuid().ToString("N"));
                try
                {
                    FileStream output = new(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = BlobFileMode, Options = FileOptions.Asynchronous });
                    await using (output.ConfigureAwait(false))
                    {
                        await reader.AsStream().CopyToAsync(output, ContentCopy.BufferSize, cancellationToken).ConfigureAwait(false);
                        output.Flush(flushToDisk: true);
                    }

                    File.Move(temp, path, overwrite: true);
                }
                finally
                {
                    File.Delete(temp);
                }
            }
        }

        ImageIndex index = new() { SchemaVersion = 2, MediaType = MediaTypes.ImageIndex, Manifests = [.. existing, .. entries] };
        await WriteAtomicallyAsync(indexFile, ImageSpecJson.Serialize(index), cancellationToken).ConfigureAwait(false);
        return entries;
    }

    /// <summary>
    /// Writes <paramref name="images"/> as an OCI layout tar (what <c>skopeo copy … oci-archive:</c>
    /// reads) to <paramref name="destination"/>, which is left open.
    /// </summary>
    /// <returns>The descriptors written to <c>index.json</c>.</returns>
    /// <exception cref="NotFoundException">A blob the images need is not in the content store, or no manifest matches the platform.</exception>
    public async Task<IReadOnlyList<Descriptor>> ExportToTarAsync(IReadOnlyList<Image> images, Stream destination, OciExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(destination);
        (List<Descriptor> entries, ImageGraph graph) = await PlanAsync(images, options ?? new OciExportOptions(), cancellationToken).ConfigureAwait(false);

        TarWriter writer = new(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await WriteEntryAsync(writer, ImageLayout.FileName, ImageSpecJson.Serialize(new ImageLayout { ImageLayoutVersion = ImageLayout.CurrentVersion }), cancellationToken).ConfigureAwait(false);
            await WriteDirectoryAsync(writer, "blobs/", cancellationToken).ConfigureAwait(false);
            foreach (string algorithm in graph.Blobs.Select(b => b.Digest.AlgorithmName).Distinct())
            {
                await WriteDirectoryAsync(writer, $"blobs/{algorithm}/", cancellationToken).ConfigureAwait(false);
            }

            foreach (Descriptor blob in graph.Blobs)
            {
                IContentReader reader = await _store.OpenReaderAsync(blob, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    PaxTarEntry entry = NewEntry(TarEntryType.RegularFile, $"blobs/{blob.Digest.AlgorithmName}/{blob.Digest.Encoded}");
                    entry.DataStream = reader.AsStream();
                    await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }

            ImageIndex index = new() { SchemaVersion = 2, MediaType = MediaTypes.ImageIndex, Manifests = entries };
            await WriteEntryAsync(writer, "index.json", ImageSpecJson.Serialize(index), cancellationToken).ConfigureAwait(false);
        }

        return entries;
    }

    /// <summary>The descriptors for index.json and the blobs they reach.</summary>
    private async Task<(List<Descriptor> Entries, ImageGraph Graph)> PlanAsync(IReadOnlyList<Image> images, OciExportOptions options, CancellationToken cancellationToken)
    {
        List<Descriptor> entries = [];
        foreach (Image image in images)
        {
            ArgumentNullException.ThrowIfNull(image, nameof(images));
            string refName = options.ReferenceName?.Invoke(image) ?? DefaultReferenceName(image.Name);
            IEnumerable<Descriptor> roots = [image.Target];
            if (options.Platform is { } matcher && MediaTypes.IsIndex(image.Target.MediaType))
            {
                byte[] bytes = await ContentDocuments.ReadAsync(_store, image.Target, ImageSpecJson.MaxIndexBytes, cancellationToken).ConfigureAwait(false);
                List<Descriptor> matched = [.. matcher.Filter(ImageSpecJson.ParseIndex(bytes).Manifests).Where(m => MediaTypes.IsManifest(m.MediaType))];
                roots = matched.Count > 0
                    ? matched
                    : throw new NotFoundException("manifest for platform", $"{image.Name} ({string.Join(", ", matcher.Accepted.Select(Platforms.Format))})");
            }

            foreach (Descriptor root in roots)
            {
                Descriptor entry = ImageSpecJson.ParseDescriptor(ImageSpecJson.Serialize(root), ImageSpecJson.MaxManifestBytes);
                entry.Annotations = new Dictionary<string, string>(entry.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
                {
                    [OciLayoutAnnotations.ImageName] = image.Name,
                    [OciLayoutAnnotations.RefName] = refName,
                };
                entries.Add(entry);
            }
        }

        ImageGraph graph = await ImageGraph.WalkAsync(entries, (d, max, token) => ContentDocuments.ReadAsync(_store, d, max, token), cancellationToken).ConfigureAwait(false);
        return (entries, graph);
    }

    /// <summary>containerd's ociReferenceName: the tag of a reference, else the name itself.</summary>
    internal static string DefaultReferenceName(string name) =>
        ImageReference.TryParse(name, out ImageReference? reference) && reference.Tag is { } tag ? tag : name;

    private static string? RefNameOf(Descriptor descriptor) =>
        descriptor.Annotations is { } annotations && annotations.TryGetValue(OciLayoutAnnotations.RefName, out string? name) ? name : null;

    private static PaxTarEntry NewEntry(TarEntryType type, string name) => new(type, name)
    {
        Mode = type == TarEntryType.Directory ? DirectoryMode : BlobFileMode,
        // Fixed times and owners: the same images always give the same archive.
        ModificationTime = DateTimeOffset.UnixEpoch,
        Uid = 0,
        Gid = 0,
    };

    private static async Task WriteDirectoryAsync(TarWriter writer, string name, CancellationToken cancellationToken) =>
        await writer.WriteEntryAsync(NewEntry(TarEntryType.Directory, name), cancellationToken).ConfigureAwait(false);

    private static async Task WriteEntryAsync(TarWriter writer, string name, byte[] content, CancellationToken cancellationToken)
    {
        PaxTarEntry entry = NewEntry(TarEntryType.RegularFile, name);
        entry.DataStream = new MemoryStream(content, writable: false);
        await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            FileStream output = new(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = BlobFileMode });
            await using (output.ConfigureAwait(false))
            {
                await output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
