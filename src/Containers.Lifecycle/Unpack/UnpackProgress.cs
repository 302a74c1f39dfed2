using Containers.Oci.Image;

namespace Containers.Unpack;

/// <summary>Progress of an unpack, reported once when a layer starts and once when it is done.</summary>
/// <param name="Index">The layer's position, base layer 0.</param>
/// <param name="Count">How many layers the image has.</param>
/// <param name="Layer">The layer's descriptor in the manifest.</param>
/// <param name="ChainId">The chain id of the layers up to and including this one.</param>
/// <param name="State">What is happening to the layer.</param>
public sealed record UnpackProgress(int Index, int Count, Descriptor Layer, Digest ChainId, UnpackLayerState State);
