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
}
