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
}
