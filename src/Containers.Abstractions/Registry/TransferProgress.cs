using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>Progress of one blob being fetched or pushed.</summary>
/// <param name="Descriptor">The blob.</param>
/// <param name="State">Where the transfer is.</param>
/// <param name="Transferred">Bytes moved so far (including bytes resumed from an earlier attempt).</param>
public sealed record TransferProgress(Descriptor Descriptor, TransferState State, long Transferred)
{
    /// <summary>The blob's size, from its descriptor.</summary>
    public long Total => Descriptor.Size;
}
