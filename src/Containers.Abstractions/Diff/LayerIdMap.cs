namespace Containers.Diff;

/// <summary>
/// Shifts the owners recorded in a layer to host ids, for rootless or user-namespaced containers
/// whose snapshots are owned by a subordinate id range.
/// </summary>
public sealed class LayerIdMap
{
    /// <summary>Creates a map from user and group id ranges.</summary>
    /// <exception cref="ArgumentException">A range is empty or overflows 32 bits.</exception>
    public LayerIdMap(IReadOnlyList<IdMapRange> uidRanges, IReadOnlyList<IdMapRange> gidRanges)
    {
        ArgumentNullException.ThrowIfNull(uidRanges);
        ArgumentNullException.ThrowIfNull(gidRanges);
        Validate(uidRanges, nameof(uidRanges));
        Validate(gidRanges, nameof(gidRanges));
        UidRanges = [.. uidRanges];
        GidRanges = [.. gidRanges];
    }

    /// <summary>The user id ranges.</summary>
    public IReadOnlyList<IdMapRange> UidRanges { get; }

    /// <summary>The group id ranges.</summary>
    public IReadOnlyList<IdMapRange> GidRanges { get; }

    /// <summary>A map that adds <paramref name="hostBase"/> to every id below <paramref name="size"/>.</summary>
    public static LayerIdMap Shift(uint hostBase, uint size)
    {
        IdMapRange[] range = [new IdMapRange(0, hostBase, size)];
        return new LayerIdMap(range, range);
    }

    /// <summary>Maps a container user id to a host user id; false when no range covers it.</summary>
    public bool TryMapUid(uint containerId, out uint hostId) => TryMap(UidRanges, containerId, out hostId);

    /// <summary>Maps a container group id to a host group id; false when no range covers it.</summary>
    public bool TryMapGid(uint containerId, out uint hostId) => TryMap(GidRanges, containerId, out hostId);

    private static bool TryMap(IReadOnlyList<IdMapRange> ranges, uint id, out uint mapped)
    {
        foreach (IdMapRange r in ranges)
        {
            if (id >= r.ContainerId && id - r.ContainerId < r.Size)
            {
                mapped = r.HostId + (id - r.ContainerId);
                return true;
            }
        }

        mapped = 0;
        return false;
    }

    private static void Validate(IReadOnlyList<IdMapRange> ranges, string parameterName)
    {
        foreach (IdMapRange r in ranges)
        {
            if (r.Size == 0 || (ulong)r.ContainerId + r.Size > uint.MaxValue + 1UL || (ulong)r.HostId + r.Size > uint.MaxValue + 1UL)
            {
                throw new ArgumentException($"id range {r.ContainerId}:{r.HostId}:{r.Size} is empty or overflows", parameterName);
            }
        }
    }
}
