using Containers.Distribution;
using Containers.Oci.Image;

namespace Containers.Images.Push;

/// <summary>What a push did.</summary>
/// <param name="Reference">The reference pushed to, normalised (with its default tag).</param>
/// <param name="Target">The descriptor the reference now names on the registry: the index, or the one manifest chosen.</param>
/// <param name="Manifests">The manifests pushed (or found already there), children before the index.</param>
/// <param name="UploadedBlobs">Configs and layers whose bytes were sent.</param>
/// <param name="MountedBlobs">Configs and layers the registry mounted from another repository.</param>
/// <param name="ExistingBlobs">Configs and layers the registry had already.</param>
public sealed record PushedImage(ImageReference Reference, Descriptor Target, IReadOnlyList<Descriptor> Manifests,
    int UploadedBlobs, int MountedBlobs, int ExistingBlobs);
