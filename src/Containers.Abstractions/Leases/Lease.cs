namespace Containers.Leases;

/// <summary>
/// A lease: a handle that keeps the resources added to it (content, ingests, snapshots) from garbage
/// collection while work such as a pull or an unpack is in progress.
/// </summary>
/// <param name="Id">The unique lease id in the namespace.</param>
public sealed record Lease(string Id)
{
    /// <summary>When the lease was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the lease stops protecting its resources, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>User labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
