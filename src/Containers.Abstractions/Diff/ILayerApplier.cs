namespace Containers.Diff;

/// <summary>
/// Applies one OCI image layer (a tar stream, optionally gzip or zstd compressed) onto a directory
/// tree, the way containerd's <c>archive.Apply</c> does, and reports the layer's digests.
/// </summary>
/// <remarks>
/// Implementations must keep every write inside <c>rootDirectory</c>: no entry may escape it
/// through <c>..</c>, absolute names, symbolic or hard links, or whiteouts, and owners, modes and
/// times are never applied through a link. Whiteouts are handled as
/// <see cref="LayerApplyOptions.WhiteoutMode"/> says.
/// </remarks>
public interface ILayerApplier
{
    /// <summary>Reads <paramref name="layer"/> to its end and applies it onto <paramref name="rootDirectory"/>.</summary>
    /// <param name="layer">The layer as stored in a registry or content store; read once, forward only.</param>
    /// <param name="rootDirectory">An existing directory, the snapshot's root (or an overlay upper directory).</param>
    /// <param name="options">Limits, whiteout handling and ownership mapping.</param>
    /// <param name="cancellationToken">Stops the apply between entries or reads; the tree is then partly applied.</param>
    /// <returns>The layer's diff id, compressed digest, size and entry count.</returns>
    /// <exception cref="InvalidLayerException">The stream is not a well-formed layer, or an entry is unsafe.</exception>
    /// <exception cref="SizeLimitExceededException">The layer has more entries or bytes than the options allow.</exception>
    /// <exception cref="UnsupportedException">The layer uses a feature the applier does not implement.</exception>
    Task<LayerApplyResult> ApplyAsync(Stream layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken = default);
}
