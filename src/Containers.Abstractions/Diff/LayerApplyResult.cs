namespace Containers.Diff;

/// <summary>What applying (or computing) a layer produced.</summary>
public sealed class LayerApplyResult
{
    /// <summary>Creates the result.</summary>
    public LayerApplyResult(Digest diffId, Digest? compressedDigest, long size, long entries, LayerCompression compression, long skippedEntries = 0, IReadOnlyList<string>? notes = null)
    {
        Notes = notes ?? [];
        DiffId = diffId;
        CompressedDigest = compressedDigest;
        Size = size;
        Entries = entries;
        Compression = compression;
        SkippedEntries = skippedEntries;
    }

    /// <summary>The sha256 of the uncompressed tar stream: the layer's <c>diff_id</c> in the image config.</summary>
    public Digest DiffId { get; }

    /// <summary>The sha256 of the stream as read when it was compressed; null for a plain tar (then it equals <see cref="DiffId"/>).</summary>
    public Digest? CompressedDigest { get; }

    /// <summary>The size in bytes of the uncompressed tar stream, padding included.</summary>
    public long Size { get; }

    /// <summary>The number of tar entries read (files, directories, links, whiteouts…).</summary>
    public long Entries { get; }

    /// <summary>The compression the stream had.</summary>
    public LayerCompression Compression { get; }

    /// <summary>Entries deliberately not applied (device nodes when not allowed or in a user namespace, entries naming the root).</summary>
    public long SkippedEntries { get; }

    /// <summary>
    /// What a rootless apply left out and why, one line each: device nodes a user namespace cannot create,
    /// xattrs that need privilege outside it (<c>trusted.*</c>). Empty when nothing was left out.
    /// </summary>
    public IReadOnlyList<string> Notes { get; }
}
