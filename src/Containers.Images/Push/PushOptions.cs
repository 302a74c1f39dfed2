using Containers.Oci.Image;

namespace Containers.Images.Push;

/// <summary>What <see cref="ImagePusher"/> pushes and how.</summary>
public sealed class PushOptions
{
    /// <summary>
    /// Which platform to take from an index; the host's platform when null. The chosen manifest is
    /// pushed alone and tagged (as <c>skopeo copy</c> without <c>--all</c> does), because a registry
    /// refuses an index whose manifests it does not hold.
    /// </summary>
    public PlatformMatcher? Platform { get; set; }

    /// <summary>Push the whole index: every manifest it lists, with their configs and layers.</summary>
    public bool AllPlatforms { get; set; }

    /// <summary>How many blobs upload at the same time.</summary>
    public int MaxConcurrentUploads { get; set; } = 3;

    /// <summary>
    /// Ask the registry to mount blobs from a repository on the same registry that they were pulled
    /// from (containerd's <c>containerd.io/distribution.source.&lt;registry&gt;</c> labels) instead of uploading them.
    /// </summary>
    public bool CrossRepositoryMount { get; set; } = true;
}
