namespace Containers.Snapshots.Metadata;

/// <summary>One row of the snapshot table: the snapshot's info plus what only the store needs.</summary>
/// <param name="Id">The stable numeric id; the snapshot's directory is named after it and it never changes, also not on commit.</param>
/// <param name="Info">The public info (kind, name, parent, labels, times).</param>
/// <param name="ParentIds">Ids of the parent chain, nearest first.</param>
/// <param name="Usage">Usage recorded at commit; zero for active snapshots and views.</param>
internal sealed record SnapshotRecord(long Id, SnapshotInfo Info, IReadOnlyList<long> ParentIds, SnapshotUsage Usage);
