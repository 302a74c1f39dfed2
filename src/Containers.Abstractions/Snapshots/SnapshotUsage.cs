namespace Containers.Snapshots;

/// <summary>The disk use of one snapshot, not counting its parents.</summary>
/// <param name="Size">Bytes used.</param>
/// <param name="Inodes">Inodes used.</param>
public readonly record struct SnapshotUsage(long Size, long Inodes)
{
    /// <summary>Adds two usages, for example to total a chain. Inodes are assumed not to be shared, so the sum is an upper bound.</summary>
    public static SnapshotUsage operator +(SnapshotUsage left, SnapshotUsage right) =>
        new(left.Size + right.Size, left.Inodes + right.Inodes);

    /// <summary>Adds two usages (the named alternative of <c>+</c>).</summary>
    public static SnapshotUsage Add(SnapshotUsage left, SnapshotUsage right) => left + right;
}
