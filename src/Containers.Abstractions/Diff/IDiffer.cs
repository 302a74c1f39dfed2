namespace Containers.Diff;

/// <summary>
/// Computes a layer: the tar stream that turns the <c>lower</c> tree into the <c>upper</c> tree
/// when applied by an <see cref="ILayerApplier"/>. The inverse of applying a layer.
/// </summary>
/// <remarks>
/// <para>
/// This is the contract only; the implementation is later work. It mirrors containerd's
/// <c>diff.Comparer</c> / <c>archive.Diff</c>: the stream holds every added or changed entry of
/// <c>upper</c> with its parents, an OCI whiteout (<c>.wh.&lt;name&gt;</c>) for every entry removed
/// from <c>lower</c>, hard links for files that share an inode in <c>upper</c>, and PAX
/// <c>SCHILY.xattr.*</c> records for extended attributes.
/// </para>
/// <para>
/// When <c>lower</c> is null the result is the whole of <c>upper</c> (a base layer). For an overlay
/// snapshot, <c>upper</c> may be the overlay upper directory itself, whose 0/0 character devices and
/// <c>trusted.overlay.opaque</c> directories are turned into whiteouts.
/// </para>
/// </remarks>
public interface IDiffer
{
    /// <summary>
    /// Writes the uncompressed tar of the changes from <paramref name="lowerDirectory"/> to
    /// <paramref name="upperDirectory"/> into <paramref name="destination"/>.
    /// </summary>
    /// <param name="lowerDirectory">The tree before the change, or null for a base layer.</param>
    /// <param name="upperDirectory">The tree after the change.</param>
    /// <param name="destination">Receives the tar stream; not closed.</param>
    /// <param name="cancellationToken">Stops the walk; the destination then holds a partial stream.</param>
    /// <returns>The diff id (sha256 of the tar written) and its size.</returns>
    Task<LayerApplyResult> DiffAsync(string? lowerDirectory, string upperDirectory, Stream destination, CancellationToken cancellationToken = default);
}
