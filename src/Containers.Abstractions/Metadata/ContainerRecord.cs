namespace Containers.Metadata;

/// <summary>
/// The metadata of a container: what to run (the spec) and with what (image, snapshot, runtime).
/// A container is only this record; running it makes a task (see <see cref="Tasks.ITaskService"/>).
/// </summary>
/// <param name="Id">The unique container id in the namespace.</param>
/// <param name="Runtime">The runtime that runs its tasks.</param>
public sealed record ContainerRecord(string Id, RuntimeInfo Runtime)
{
    /// <summary>User labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The name of the image it was created from, or <see langword="null"/>.</summary>
    public string? Image { get; init; }

    /// <summary>
    /// The OCI runtime spec (<c>config.json</c>) as UTF-8 JSON, stored verbatim so this record does not
    /// depend on the spec model's version; empty when not set yet.
    /// </summary>
    public ReadOnlyMemory<byte> Spec { get; init; }

    /// <summary>The key of the container's root filesystem snapshot, or <see langword="null"/>.</summary>
    public string? SnapshotKey { get; init; }

    /// <summary>The snapshotter that holds <see cref="SnapshotKey"/>, or <see langword="null"/>.</summary>
    public string? Snapshotter { get; init; }

    /// <summary>The sandbox (pod) the container belongs to, or <see langword="null"/>.</summary>
    public string? SandboxId { get; init; }

    /// <summary>When the record was created; set by the store.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the record was last changed; set by the store.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Extra data that clients attach by name, each as UTF-8 JSON, stored verbatim.</summary>
    public IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Extensions { get; init; } = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
}
