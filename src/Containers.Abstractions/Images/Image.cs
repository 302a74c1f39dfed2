using Containers.Oci.Image;

namespace Containers.Images;

/// <summary>
/// A named image in the image store: a name (usually a normalised reference such as
/// <c>docker.io/library/busybox:latest</c>) bound to the descriptor of its manifest or index.
/// </summary>
/// <param name="Name">The unique name in the namespace.</param>
/// <param name="Target">The root of the image: a manifest or an index in the content store.</param>
public sealed record Image(string Name, Descriptor Target)
{
    /// <summary>User labels. <c>containerd.io/gc.*</c> labels steer garbage collection, as in containerd.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>When the image record was created; set by the store.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the image record was last changed; set by the store.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
