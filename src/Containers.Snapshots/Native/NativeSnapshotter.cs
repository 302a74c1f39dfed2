using Containers.Mounts;
using Containers.Snapshots.Metadata;

namespace Containers.Snapshots;

/// <summary>
/// A snapshotter that needs nothing from the filesystem, with containerd's native snapshotter's
/// semantics: every active snapshot and view is a full copy of its parent (reflinked where the
/// filesystem supports FICLONE, as on btrfs and xfs), mounted as a bind mount. Apply layers into it with
/// <see cref="Containers.Diff.WhiteoutMode"/> delete.
/// </summary>
/// <remarks>
/// An active snapshot prepared with <see cref="LayerApplyOnlyLabel"/> (the unpacker's extraction snapshots)
/// hard-links its parent's regular files instead of copying their bytes: on a filesystem without reflinks
/// this keeps each layer's Prepare from copying the whole image again. Such a snapshot must be written only by
/// <see cref="Containers.Snapshots.Apply.LayerApplier"/>, which never writes through an existing name (it
/// unlinks and creates) and never changes an existing regular file's bytes, owner, mode, xattrs or times, so
/// the committed parent's files stay as they were. What sharing does change is each shared inode's link count
/// on disk; nothing reads it there: views and active snapshots without the label are full copies with inodes
/// of their own, and a copy links names only within the tree it copies, so the counts seen through them are
/// the tree's own.
/// </remarks>
public sealed class NativeSnapshotter : DirectorySnapshotter
{
    /// <summary>
    /// A label of ours (not containerd's) for <see cref="ISnapshotter.PrepareAsync"/>: with the value
    /// <c>true</c> the snapshot will be written only by the layer applier, so it may share its parent's regular
    /// files by hard link. Any other writer (a container, a tool writing in place) would change the parent's
    /// files too: prepare without the label for those. Ignored on views.
    /// </summary>
    public const string LayerApplyOnlyLabel = "containers.dotnet/snapshot.layer-apply-only";

    /// <summary>Opens (or creates) a native snapshotter rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The root directory; created 0700 if missing.</param>
    /// <param name="timeProvider">The clock for created and updated times, or <see langword="null"/> for the system clock.</param>
    public NativeSnapshotter(string root, TimeProvider? timeProvider = null)
        : base(root, timeProvider)
    {
    }

    private protected override void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<long> parentIds, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        string fs = Path.Combine(directory, "fs");
        Directory.CreateDirectory(fs);
        File.SetUnixFileMode(fs, (UnixFileMode)0b111_101_101);
        if (parentIds.Count > 0)
        {
            bool share = kind == SnapshotKind.Active && labels.TryGetValue(LayerApplyOnlyLabel, out string? value) && value == "true";
            TreeCopier.Copy(FsDirectory(parentIds[0]), fs, share, cancellationToken);
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
