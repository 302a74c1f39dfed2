using Containers.Oci.Image;

namespace Containers.Images.Layout;

/// <summary>How <see cref="OciLayoutImporter"/> reads a layout and names what it imports.</summary>
public sealed class OciImportOptions
{
    /// <summary>
    /// Names images whose <c>index.json</c> entry carries only a tag-like ref name: the image is
    /// recorded as <c>BaseName:ref</c>. Without it such an image is recorded under the bare ref name.
    /// An entry with <c>io.containerd.image.name</c> is always recorded under that name.
    /// </summary>
    public string? BaseName { get; init; }

    /// <summary>The largest <c>index.json</c> accepted, in bytes.</summary>
    public long MaxIndexBytes { get; init; } = ImageSpecJson.MaxIndexBytes;

    /// <summary>The most tar entries read from an archive before it is refused.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>The most bytes of JSON documents (manifests, indexes, configs) held in memory while reading a tar.</summary>
    public long MaxDocumentBytes { get; init; } = 256L * 1024 * 1024;
}
