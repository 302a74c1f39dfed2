using Containers.Distribution;

namespace Containers.Registry;

/// <summary>Progress of a whole push, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Reference">The reference being pushed to.</param>
/// <param name="Phase">The current stage.</param>
public sealed record PushProgress(ImageReference Reference, PushPhase Phase)
{
    /// <summary>The blob this report is about, or <see langword="null"/> for a phase change.</summary>
    public TransferProgress? Transfer { get; init; }

    /// <summary>Blobs finished (uploaded, mounted or already present).</summary>
    public int CompletedBlobs { get; init; }

    /// <summary>Blobs (configs and layers) the push covers.</summary>
    public int TotalBlobs { get; init; }

    /// <summary>Bytes finished across all blobs (skipped and mounted blobs count whole).</summary>
    public long TransferredBytes { get; init; }

    /// <summary>Bytes of all blobs the push covers.</summary>
    public long TotalBytes { get; init; }
}
