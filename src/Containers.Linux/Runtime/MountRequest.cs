namespace Containers.Linux.Runtime;

/// <summary>A mount as config.json states it: destination inside the container, type, source and options.</summary>
/// <param name="Destination">Absolute path inside the container.</param>
/// <param name="Type">Filesystem type (<c>proc</c>, <c>tmpfs</c>…), or <c>bind</c>/<see langword="null"/> for a bind mount.</param>
/// <param name="Source">Device, host path (bind) or a name.</param>
/// <param name="Options">fstab-style options (<c>nosuid</c>, <c>rbind</c>, <c>mode=755</c>…).</param>
public sealed record MountRequest(string Destination, string? Type, string? Source, IReadOnlyList<string> Options)
{
    /// <summary>What the child does with this request; config.json mounts are always <see cref="MountRequestKind.Mount"/>.</summary>
    public MountRequestKind Kind { get; init; }

    /// <summary>
    /// An id-mapped bind mount's uid mappings (config.json's <c>mounts[].uidMappings</c>): a file owned by
    /// <see cref="IdMapping.ContainerId"/> on the source filesystem appears owned by <see cref="IdMapping.HostId"/>.
    /// </summary>
    public IReadOnlyList<IdMapping>? UidMappings { get; init; }

    /// <summary>An id-mapped bind mount's gid mappings (<c>mounts[].gidMappings</c>).</summary>
    public IReadOnlyList<IdMapping>? GidMappings { get; init; }
}
