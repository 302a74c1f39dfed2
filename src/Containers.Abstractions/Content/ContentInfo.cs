namespace Containers.Content;

/// <summary>
/// What the content store knows about a committed blob: its digest and size, when it was
/// committed and last updated, and its mutable labels.
/// </summary>
public sealed class ContentInfo
{
    /// <summary>The digest of the blob; the key of the store.</summary>
    public required Digest Digest { get; init; }

    /// <summary>The size of the blob in bytes.</summary>
    public long Size { get; init; }

    /// <summary>When the blob was committed.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the blob or its labels were last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// Mutable labels, for example <c>containerd.io/gc.root</c>. Labels are metadata about the
    /// blob, never part of its content, so changing them does not change the digest.
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyLabels;

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>(StringComparer.Ordinal);
}
