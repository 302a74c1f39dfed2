using Containers.Leases;
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

    /// <summary>
    /// The lease manager that <see cref="LeaseId"/> belongs to. With both set, the puller adds every blob
    /// it is about to check for or fetch (and the ingest it fetches it through) to that lease first, so a
    /// garbage collector running during the pull keeps them; the caller deletes the lease once the image
    /// is recorded (an image is a root by itself) or lets it expire.
    /// </summary>
    public ILeaseManager? LeaseManager { get; set; }

    /// <summary>The lease that holds what the pull fetches; needs <see cref="LeaseManager"/>.</summary>
    public string? LeaseId { get; set; }
}
