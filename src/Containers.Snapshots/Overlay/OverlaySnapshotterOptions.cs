namespace Containers.Snapshots;

/// <summary>Options of <see cref="OverlaySnapshotter"/>.</summary>
public sealed class OverlaySnapshotterOptions
{
    /// <summary>
    /// Adds overlay's <c>userxattr</c> option (Linux 5.11+), which keeps overlay's own attributes in
    /// <c>user.overlay.*</c> instead of <c>trusted.overlay.*</c>: needed to mount overlays inside a user
    /// namespace, where <c>trusted.*</c> is off limits. Layers must then be applied with user xattrs too.
    /// Off by default, as in containerd.
    /// </summary>
    public bool UserXattr { get; init; }
}
