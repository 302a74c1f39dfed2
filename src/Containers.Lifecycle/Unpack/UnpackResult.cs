using Containers.Oci.Image;

namespace Containers.Unpack;

/// <summary>The snapshot chain an image was unpacked into.</summary>
/// <param name="Manifest">The manifest that was unpacked (the one chosen for the platform when the target was an index).</param>
/// <param name="Config">The image config's descriptor, which now carries the <c>containerd.io/gc.ref.snapshot.&lt;snapshotter&gt;</c> label.</param>
/// <param name="ChainIds">The chain id of each layer, base first; the last one names the committed snapshot of the whole image.</param>
/// <param name="Applied">How many layers this call applied.</param>
/// <param name="Skipped">How many layers were already committed (by an earlier unpack or a concurrent one).</param>
public sealed record UnpackResult(Descriptor Manifest, Descriptor Config, IReadOnlyList<Digest> ChainIds, int Applied, int Skipped)
{
    /// <summary>The committed snapshot holding the whole image: the parent to prepare a container's rootfs on.</summary>
    public Digest TopChainId => ChainIds[^1];
}
