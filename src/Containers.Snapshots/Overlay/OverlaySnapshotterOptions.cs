namespace Containers.Snapshots;

/// <summary>Options of <see cref="OverlaySnapshotter"/>.</summary>
public sealed class OverlaySnapshotterOptions
{
    /// <summary>
    /// Adds overlay's <c>userxattr</c> option (Linux 5.11+), which keeps overlay's own attributes in
    /// <c>user.overlay.*</c> instead of <c>trusted.overlay.*</c>: needed to mount overlays inside a user
    /// namespace, where <c>trusted.*</c> is off limits. Layers must then be applied with
    /// <see cref="Containers.Diff.WhiteoutMode.OverlayUserXattr"/> (the unpacker does so for a mount with <c>userxattr</c>).
    /// <see langword="null"/> (the default) turns it on only when the process runs in a user namespace
    /// other than the initial one and the kernel is 5.11 or later, which is when containerd's rootless
    /// setups need it; in the initial namespace overlay keeps <c>trusted.*</c>, as <see cref="Containers.Diff.WhiteoutMode.Overlay"/> writes.
    /// </summary>
    public bool? UserXattr { get; init; }

    /// <summary>
    /// Deletes a removed snapshot's directory in the background: <c>RemoveAsync</c> returns once the record is gone
    /// (committed) and the directory renamed out of the way (<c>rm-&lt;id&gt;</c>), and the thread pool deletes the tree
    /// after it, one removal after another. Off by default, where <c>RemoveAsync</c> returns after the deletion.
    /// <c>AddContainerRuntime</c> turns it on: a container's snapshot is deleted on every <c>ContainerClient.RunAsync</c>,
    /// and on a file system mounted with online discard each freed directory costs a synchronous discard.
    /// <see cref="DirectorySnapshotter.WhenRemovedAsync"/> waits for the deletions; <c>CleanupAsync</c> and disposal do too,
    /// and a process that dies first leaves <c>rm-&lt;id&gt;</c> directories that the next <c>CleanupAsync</c> deletes.
    /// </summary>
    public bool BackgroundRemoval { get; init; }

    /// <summary>
    /// Keeps one empty directory for the next active snapshot, made in the background after each Prepare (a snapshot
    /// directory with its <c>fs</c> and <c>work</c>), so a Prepare renames it into place instead of creating three
    /// directories while its caller waits. It is named as a create's temporary directory (<c>new-*</c>): disposal deletes
    /// it, and <c>CleanupAsync</c> (which would take it for an orphan) deletes it and the next Prepare makes its own.
    /// Off by default; <c>AddContainerRuntime</c> turns it on, as a container's Prepare is on every
    /// <c>ContainerClient.RunAsync</c>'s path. On a file system where allocating an inode is slow (ext4 without a journal
    /// skips every inode freed in the last 30 s, one by one), the three directories cost ~1 ms per Prepare on this VM.
    /// </summary>
    public bool SpareDirectory { get; init; }

    /// <summary>
    /// How long after a Prepare that used (or lacked) the spare directory the next one is made; default 50 ms. Made at
    /// once, its directories were made while the Prepare's caller mounted the snapshot and started its container, which
    /// cost a lone container run 1.4–3.3 ms on this two-core VM. A Prepare that comes before it is made creates its own
    /// directories, as without the spare. Zero makes it at once.
    /// </summary>
    public TimeSpan SpareDirectoryDelay { get; init; } = TimeSpan.FromMilliseconds(50);
}
