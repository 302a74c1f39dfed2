using Containers.Oci.Image;

namespace Containers.Images.Layout;

/// <summary>How <see cref="OciLayoutExporter"/> writes images.</summary>
public sealed class OciExportOptions
{
    /// <summary>
    /// The platforms to export from multi-platform images; <see langword="null"/> exports every
    /// platform with the image's own index. With a matcher, the matching manifests are listed in
    /// <c>index.json</c> directly, each with its platform.
    /// </summary>
    public PlatformMatcher? Platform { get; init; }

    /// <summary>
    /// The <c>org.opencontainers.image.ref.name</c> of an image. By default the tag of the image's
    /// name (containerd's choice: the OCI ref name is a tag, the full name goes into
    /// <c>io.containerd.image.name</c>), or the whole name when it has no tag.
    /// </summary>
    public Func<Image, string>? ReferenceName { get; init; }
}
