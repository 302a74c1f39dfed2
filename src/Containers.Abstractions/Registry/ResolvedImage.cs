using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>What a registry answered for a reference: the name it resolved and the root descriptor.</summary>
/// <param name="Name">The resolved name, usable as an image name (for example the reference with its digest).</param>
/// <param name="Descriptor">The descriptor of the manifest or index the reference points at.</param>
public sealed record ResolvedImage(string Name, Descriptor Descriptor);
