using Containers.Diff;
using Containers.Oci.Image;

namespace Containers.Unpack;

/// <summary>How <see cref="Unpacker"/> chooses and applies an image.</summary>
public sealed class UnpackOptions
{
    /// <summary>Which manifest of an index to unpack; the host platform when null.</summary>
    public PlatformMatcher? Platform { get; init; }

    /// <summary>
    /// Limits and id mapping for the layer applier. Device nodes are allowed unless this says otherwise,
    /// as containerd's unpacker allows them; the whiteout mode is chosen per snapshot (overlay whiteouts when
    /// applying into an overlay upper directory, deletions otherwise) and the value here is ignored.
    /// </summary>
    public LayerApplyOptions? Apply { get; init; }

    /// <summary>
    /// Decompressed bytes of the next layer produced ahead of its apply, while the layer before it is prepared,
    /// applied and committed (one more thread); 0 (the default) decompresses each layer only during its own apply.
    /// Used only with the built-in <see cref="Containers.Snapshots.Apply.LayerApplier"/>.
    /// </summary>
    public long DecompressAheadBytes { get; init; }
}
