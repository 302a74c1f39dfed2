namespace Containers.Content;

/// <summary>The progress of one ingest (an open or resumable write transaction), keyed by its ref.</summary>
public sealed class ContentStatus
{
    /// <summary>The ref the ingest was opened with.</summary>
    public required string Ref { get; init; }

    /// <summary>How many bytes have been written so far; a resumed writer continues here.</summary>
    public long Offset { get; init; }

    /// <summary>The expected total size, or 0 when it was not given.</summary>
    public long Total { get; init; }

    /// <summary>The digest the content is expected to have; <c>default</c> when it was not given.</summary>
    public Digest Expected { get; init; }

    /// <summary>When the ingest was first opened.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When data was last written to the ingest.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
