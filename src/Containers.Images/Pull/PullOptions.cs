using Containers.Oci.Image;

namespace Containers.Images.Pull;

/// <summary>What <see cref="ImagePuller"/> fetches.</summary>
public sealed class PullOptions
{
    /// <summary>Which platform to take from an index; the host's platform when null.</summary>
    public PlatformMatcher? Platform { get; set; }

    /// <summary>Fetch every platform's manifest, config and layers (for re-export), not just one.</summary>
    public bool AllPlatforms { get; set; }

    /// <summary>How many blobs download at the same time.</summary>
    public int MaxConcurrentDownloads { get; set; } = 3;
}
