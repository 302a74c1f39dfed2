using System.Text;

namespace Containers.Oci.Image;

/// <summary>
/// The image-spec's chain id: the identity of a stack of layers, under which snapshotters commit the
/// result of applying them. <c>ChainID(L0) = DiffID(L0)</c>, <c>ChainID(L0|…|Ln) = SHA256(ChainID(L0|…|Ln-1) + " " + DiffID(Ln))</c>.
/// </summary>
public static class ChainIds
{
    /// <summary>The chain id of <paramref name="diffId"/> applied on top of the chain <paramref name="parent"/>.</summary>
    /// <param name="parent">The chain id of the layers below, or null for the base layer.</param>
    /// <param name="diffId">The uncompressed digest of the layer on top.</param>
    /// <exception cref="ArgumentException">A digest is empty.</exception>
    public static Digest Next(Digest? parent, Digest diffId)
    {
        if (diffId.IsEmpty)
        {
            throw new ArgumentException("the diff id is empty", nameof(diffId));
        }

        if (parent is not { } below)
        {
            return diffId;
        }

        if (below.IsEmpty)
        {
            throw new ArgumentException("the parent chain id is empty", nameof(parent));
        }

        return Digest.Compute(Encoding.ASCII.GetBytes(below.ToString() + " " + diffId.ToString()));
    }

    /// <summary>The chain id of every prefix of <paramref name="diffIds"/>: element i identifies layers 0..i.</summary>
    /// <param name="diffIds">The layers' diff ids, base first (an image config's <c>rootfs.diff_ids</c>).</param>
    public static IReadOnlyList<Digest> Compute(IEnumerable<Digest> diffIds)
    {
        ArgumentNullException.ThrowIfNull(diffIds);
        List<Digest> chain = [];
        Digest? parent = null;
        foreach (Digest diffId in diffIds)
        {
            parent = Next(parent, diffId);
            chain.Add(parent.Value);
        }

        return chain;
    }
}
