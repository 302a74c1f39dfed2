using Containers.Mounts;
using Containers.Snapshots.Metadata;

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
        : base(root, timeProvider)
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

    private protected override IReadOnlyList<Mount> BuildMounts(SnapshotRecord record)
    {
        SnapshotKind kind = record.Info.Kind;
        IReadOnlyList<long> parents = record.ParentIds;
        if (parents.Count == 0)
        {
            return [new Mount("bind", FsDirectory(record.Id), [kind == SnapshotKind.View ? "ro" : "rw", "rbind"])];
        }

        if (kind == SnapshotKind.View && parents.Count == 1)
        {
            return [new Mount("bind", FsDirectory(parents[0]), ["ro", "rbind"])];
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
