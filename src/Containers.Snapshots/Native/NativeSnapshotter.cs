using Containers.Mounts;
using Containers.Snapshots.Metadata;

namespace Containers.Snapshots;

/// <summary>
/// A snapshotter that needs nothing from the filesystem, with containerd's native snapshotter's
/// semantics: every active snapshot and view is a full copy of its parent (reflinked where the
/// filesystem supports FICLONE, as on btrfs and xfs), mounted as a bind mount. Apply layers into it with
/// <see cref="Containers.Diff.WhiteoutMode"/> delete.
/// </summary>
public sealed class NativeSnapshotter : DirectorySnapshotter
{
    /// <summary>Opens (or creates) a native snapshotter rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The root directory; created 0700 if missing.</param>
    /// <param name="timeProvider">The clock for created and updated times, or <see langword="null"/> for the system clock.</param>
    public NativeSnapshotter(string root, TimeProvider? timeProvider = null)
        : base(root, timeProvider)
    {
    }

    private protected override void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<long> parentIds, CancellationToken cancellationToken)
    {
        string fs = Path.Combine(directory, "fs");
        Directory.CreateDirectory(fs);
        File.SetUnixFileMode(fs, (UnixFileMode)0b111_101_101);
        if (parentIds.Count > 0)
        {
            TreeCopier.Copy(FsDirectory(parentIds[0]), fs, cancellationToken);
        }
    }

    /// <summary>Refuses containerd's id mapping labels: a copy cannot be id-mapped here, and an unmapped rootfs must not pass for a mapped one.</summary>
    private protected override void ValidateCreateLabels(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (string label in (string[])[Mounting.IdMapLabels.Uid, Mounting.IdMapLabels.Gid])
        {
            if (labels?.ContainsKey(label) == true)
            {
                throw new UnsupportedException($"labels[\"{label}\"]: the native snapshotter does not id-map snapshots (the overlay snapshotter does)");
            }
        }
    }

    private protected override IReadOnlyList<Mount> BuildMounts(SnapshotRecord record) =>
        [new Mount("bind", FsDirectory(record.Id), [record.Info.Kind == SnapshotKind.View ? "ro" : "rw", "rbind"])];
}
