namespace Containers.Diff;

/// <summary>How an <see cref="ILayerApplier"/> materialises OCI whiteouts.</summary>
public enum WhiteoutMode
{
    /// <summary>
    /// The tree is a full snapshot (the native snapshotter): <c>.wh.&lt;name&gt;</c> deletes the
    /// named sibling and <c>.wh..wh..opq</c> deletes every child that came from lower layers.
    /// </summary>
    Delete,

    /// <summary>
    /// The tree is an overlayfs upper directory: <c>.wh.&lt;name&gt;</c> becomes a 0/0 character
    /// device and <c>.wh..wh..opq</c> sets <c>trusted.overlay.opaque=y</c> on its directory.
    /// </summary>
    Overlay,

    /// <summary>
    /// The tree is the upper directory of an overlay mounted with <c>userxattr</c> (Linux 5.11+), as in a user
    /// namespace, where <c>trusted.*</c> is out of reach: <c>.wh.&lt;name&gt;</c> becomes a 0/0 character device
    /// (which Linux 5.8+ lets any user create) and <c>.wh..wh..opq</c> sets <c>user.overlay.opaque=y</c>.
    /// </summary>
    OverlayUserXattr,
}
