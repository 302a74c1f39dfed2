using Containers.Oci.Image;

namespace Containers.Images.Archive;

/// <summary>Bounds for <see cref="DockerArchiveImporter"/>.</summary>
public sealed class DockerArchiveImportOptions
{
    /// <summary>The largest <c>manifest.json</c> accepted, in bytes.</summary>
    public long MaxManifestBytes { get; init; } = ImageSpecJson.MaxManifestBytes;

    /// <summary>The most tar entries read before the archive is refused.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The most bytes of JSON files (configs, legacy layer json) held in memory while reading.</summary>
    public long MaxDocumentBytes { get; init; } = 256L * 1024 * 1024;
}
