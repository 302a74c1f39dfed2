using Containers.Diff;
using Containers.Mounts;
using Containers.Snapshots.Metadata;
using Containers.Snapshots.Mounting;

namespace Containers.Snapshots;

/// <summary>
/// A snapshotter on overlayfs, with containerd's overlay snapshotter's semantics: every snapshot owns one
/// directory (<c>fs</c>) that holds only its own changes; an active snapshot mounts as an overlay whose
/// upper directory is its <c>fs</c> and whose lower directories are its parents' <c>fs</c>, nearest first.
/// </summary>
/// <remarks>
/// Mounts: an active snapshot without a parent is a read-write bind mount of its <c>fs</c>; a view of one
/// layer is a read-only bind mount of that layer; a view of several is a lower-only (read-only) overlay.
/// Overlays are mounted with <c>index=off</c>, as containerd does, so a layer can be shared by mounts
/// without the overlay index pinning it. Apply layers into it with <see cref="Containers.Diff.WhiteoutMode"/> overlay
/// whiteouts. Mount the result with <see cref="Mounting.MountHelper"/>, which also handles 128 and more layers.
/// </remarks>
public sealed class OverlaySnapshotter : DirectorySnapshotter
{
    private readonly bool _userXattr;

    /// <summary>Opens (or creates) an overlay snapshotter rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The root directory; created 0700 if missing. It must be on a filesystem overlay accepts as upper (not overlay itself).</param>
    /// <param name="options">Options, or <see langword="null"/> for defaults.</param>
    /// <param name="timeProvider">The clock for created and updated times, or <see langword="null"/> for the system clock.</param>
    public OverlaySnapshotter(string root, OverlaySnapshotterOptions? options = null, TimeProvider? timeProvider = null)
        : base(root, timeProvider, (options ?? new OverlaySnapshotterOptions()).BackgroundRemoval, (options ?? new OverlaySnapshotterOptions()).SpareDirectory,
            (options ?? new OverlaySnapshotterOptions()).SpareDirectoryDelay)
    {
        _userXattr = (options ?? new OverlaySnapshotterOptions()).UserXattr ?? (Rootless.UserNamespace.IsNested && KernelAtLeast(5, 11));
    }

    /// <summary>Whether this kernel has overlayfs (listed in /proc/filesystems, or loadable on first mount).</summary>
    public static bool IsSupported() =>
        File.Exists("/proc/filesystems") && File.ReadAllText("/proc/filesystems").Contains("\toverlay\n", StringComparison.Ordinal);

    private protected override void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<long> parentIds, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        string fs = Path.Combine(directory, "fs");
        Directory.CreateDirectory(fs);
        File.SetUnixFileMode(fs, (UnixFileMode)0b111_101_101);
        if (kind == SnapshotKind.Active)
        {
            string work = Path.Combine(directory, "work");
            Directory.CreateDirectory(work);
            File.SetUnixFileMode(work, (UnixFileMode)0b111_001_001);
        }

        if (parentIds.Count > 0)
        {
            // The upper directory's root becomes the merged root: give it the parent's owner, as
            // containerd does, so a layer owned by a user namespace's root stays its own.
            Interop.Statx parentRoot = TreeCopier.LStat(FsDirectory(parentIds[0]));
            if (Interop.LChown(fs, parentRoot.Uid, parentRoot.Gid) != 0)
            {
                Interop.ThrowLastError("lchown", fs);
            }
        }
    }

    /// <summary>
    /// containerd 2.0's mapping labels (<c>containerd.io/snapshot/uidmapping</c> and <c>gidmapping</c>, both
    /// <c>containerID:hostID:size[,...]</c>): the snapshot's layers are to appear owned by the mapped host ids,
    /// through id-mapped lower directories rather than chowned copies. Checked here, before anything is written.
    /// </summary>
    private protected override void ValidateCreateLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (MappingOf(labels) is not null && !KernelAtLeast(5, 19))
        {
            // Overlayfs takes id-mapped lower layers from 5.19 on; refusing beats an unmapped rootfs.
            throw new UnsupportedException($"labels[\"{IdMapLabels.Uid}\"]: id-mapped overlay lowers need Linux 5.19 or later (this kernel is {Environment.OSVersion.Version})");
        }
    }

    /// <summary>
    /// With mapping labels, the upper directory's root (the merged root) belongs to the container's root as the
    /// host sees it, as containerd 2.0 does, so the container's root can write the root directory.
    /// </summary>
    private protected override void ApplyCreateLabels(string directory, IReadOnlyList<long> parentIds, IReadOnlyDictionary<string, string>? labels)
    {
        if (MappingOf(labels) is not ({ } uids, { } gids))
        {
            return;
        }

        string fs = Path.Combine(directory, "fs");
        Interop.Statx current = TreeCopier.LStat(fs);
        LayerIdMap map = new(uids, gids);
        uint uid = map.TryMapUid(current.Uid, out uint mappedUid) ? mappedUid : current.Uid;
        uint gid = map.TryMapGid(current.Gid, out uint mappedGid) ? mappedGid : current.Gid;
        if (Interop.LChown(fs, uid, gid) != 0)
        {
            Interop.ThrowLastError("lchown", fs);
        }
    }

    /// <summary>The uid and gid ranges of containerd's mapping labels, or null without them.</summary>
    /// <exception cref="InvalidSpecException">Only one of the labels is set, or one is malformed.</exception>
    private static (IdMapRange[] Uids, IdMapRange[] Gids)? MappingOf(IReadOnlyDictionary<string, string>? labels)
    {
        string? uid = null;
        string? gid = null;
        _ = labels?.TryGetValue(IdMapLabels.Uid, out uid);
        _ = labels?.TryGetValue(IdMapLabels.Gid, out gid);
        if (uid is null && gid is null)
        {
            return null;
        }

        if (uid is null || gid is null)
        {
            // containerd maps each independently; a rootfs with owners mapped on one axis only is never what is meant.
            throw new InvalidSpecException($"labels[\"{(uid is null ? IdMapLabels.Uid : IdMapLabels.Gid)}\"]", "id-mapped snapshots need both the uidmapping and gidmapping labels");
        }

        return (IdMapRangeText.Parse(uid, $"labels[\"{IdMapLabels.Uid}\"]"), IdMapRangeText.Parse(gid, $"labels[\"{IdMapLabels.Gid}\"]"));
    }

    private protected override IReadOnlyList<Mount> BuildMounts(SnapshotRecord record)
    {
        SnapshotKind kind = record.Info.Kind;
        IReadOnlyList<long> parents = record.ParentIds;
        string[] idMap = MappingOf(record.Info.Labels) is null
            ? []
            : ["uidmap=" + record.Info.Labels[IdMapLabels.Uid], "gidmap=" + record.Info.Labels[IdMapLabels.Gid]];
        if (parents.Count == 0)
        {
            // Nothing below to map: an empty snapshot's files are written by the container's own ids.
            return [new Mount("bind", FsDirectory(record.Id), [kind == SnapshotKind.View ? "ro" : "rw", "rbind"])];
        }

        if (kind == SnapshotKind.View && parents.Count == 1)
        {
            return [new Mount("bind", FsDirectory(parents[0]), ["ro", "rbind", .. idMap])];
        }

        var options = new List<string> { "index=off" };
        if (_userXattr)
        {
            options.Add("userxattr");
        }

        if (kind == SnapshotKind.Active)
        {
            options.Add("workdir=" + Path.Combine(SnapshotDirectory(record.Id), "work"));
            options.Add("upperdir=" + FsDirectory(record.Id));
        }
        else
        {
            options.Add("ro");
        }

        options.Add("lowerdir=" + string.Join(':', parents.Select(FsDirectory)));
        options.AddRange(idMap);
        return [new Mount("overlay", "overlay", options)];
    }

    private static bool KernelAtLeast(int major, int minor)
    {
        string release = Environment.OSVersion.Version.ToString();
        try
        {
            release = File.ReadAllText("/proc/sys/kernel/osrelease");
        }
        catch (IOException)
        {
        }

        string[] parts = release.Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], out int a) && int.TryParse(parts[1], out int b) && (a > major || (a == major && b >= minor));
    }

    /// <summary>
    /// The directory that receives an active snapshot's changes: the overlay's upper directory, or the source
    /// of a read-write bind mount. Apply a layer there directly with overlay whiteouts, as containerd's
    /// applier does for overlay mounts: overlayfs refuses to create whiteout devices through a mounted
    /// overlay, and writing the upper directory skips the overlay's copy-up.
    /// </summary>
    /// <param name="mounts">The mounts of an active snapshot, as <see cref="ISnapshotter.PrepareAsync"/> returns them.</param>
    /// <param name="directory">The upper directory.</param>
    /// <returns>Whether the mounts are a single overlay with an upper directory or a single read-write bind mount.</returns>
    public static bool TryGetUpperDirectory(IReadOnlyList<Mount> mounts, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? directory)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        directory = null;
        if (mounts.Count != 1)
        {
            return false;
        }

        Mount mount = mounts[0];
        if (mount.Type == "bind" && !mount.IsReadOnly)
        {
            directory = mount.Source;
        }
        else if (mount.Type == "overlay")
        {
            directory = mount.Options.FirstOrDefault(o => o.StartsWith("upperdir=", StringComparison.Ordinal))?["upperdir=".Length..];
        }

        return directory is not null;
    }
}
