using Containers.Oci.Image;

namespace Containers.Images.Archive;

/// <summary>How <see cref="DockerArchiveExporter"/> writes images.</summary>
public sealed class DockerArchiveExportOptions
{
    /// <summary>
    /// The platform taken from multi-platform images (a docker-archive holds one manifest per
    /// image); the host's platform by default.
    /// </summary>
    public PlatformMatcher Platform { get; init; } = PlatformMatcher.Default;

    /// <summary>Where decompressed layers are staged before they are written; the system temp directory by default.</summary>
    public string? TempDirectory { get; init; }
}
