using Containers.Distribution;

namespace Containers.Registry;

/// <summary>Progress of a whole pull, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Reference">The reference being pulled.</param>
/// <param name="Phase">The current stage.</param>
public sealed record PullProgress(ImageReference Reference, PullPhase Phase)
{
    /// <summary>The blob this report is about, or <see langword="null"/> for a phase change.</summary>
    public TransferProgress? Transfer { get; init; }

    /// <summary>Blobs finished (transferred or already present).</summary>
    public int CompletedBlobs { get; init; }

    /// <summary>Blobs known to be needed so far; grows while manifests are read.</summary>
    public int TotalBlobs { get; init; }

    /// <summary>Bytes transferred across all blobs.</summary>
    public long TransferredBytes { get; init; }

    /// <summary>Bytes of all blobs known so far.</summary>
    public long TotalBytes { get; init; }
}
