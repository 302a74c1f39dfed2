using Containers.Distribution;
using Containers.Oci.Image;

namespace Containers.Images.Pull;

/// <summary>An image whose blobs are all in the content store.</summary>
/// <param name="Reference">The reference pulled, normalised (with its default tag).</param>
/// <param name="Target">The root descriptor the reference resolved to: an index or a manifest.</param>
/// <param name="Manifest">The descriptor of the manifest chosen for the platform.</param>
/// <param name="Config">The image config of that manifest.</param>
/// <param name="Layers">That manifest's layers, bottom first.</param>
public sealed record PulledImage(ImageReference Reference, Descriptor Target, Descriptor Manifest, ImageConfig Config, IReadOnlyList<Descriptor> Layers);
