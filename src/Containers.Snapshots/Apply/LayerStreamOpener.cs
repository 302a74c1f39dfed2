using System.IO.Compression;
using Containers.Diff;

namespace Containers.Snapshots.Apply;

/// <summary>Detects a layer's compression by its magic bytes and wraps it for decompression.</summary>
internal static class LayerStreamOpener
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>Reads up to four bytes and names the compression they announce.</summary>
    public static (LayerCompression Compression, byte[] Prefix) Detect(Stream layer, LayerCompression requested)
    {
        byte[] prefix = new byte[4];
        int filled = 0;
        while (filled < prefix.Length)
        {
            int n = layer.Read(prefix.AsSpan(filled));
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        Array.Resize(ref prefix, filled);
        if (requested != LayerCompression.Auto)
        {
            return (requested, prefix);
        }

        LayerCompression detected =
            prefix.AsSpan().StartsWith(GzipMagic) ? LayerCompression.Gzip :
            prefix.AsSpan().StartsWith(ZstdMagic) ? LayerCompression.Zstd :
            LayerCompression.None;
        return (detected, prefix);
    }

    /// <summary>The decompressed view of <paramref name="compressed"/>; the returned stream does not own it.</summary>
    public static Stream Decompress(Stream compressed, LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true),
        LayerCompression.Zstd => new ZstdSharp.DecompressionStream(compressed, leaveOpen: true),
        _ => compressed,
    };
}
