using System.Security.Cryptography;
using Containers.Diff;

namespace Containers.Snapshots.Apply;

/// <summary>
/// A layer being read, hashed and decompressed on its own thread ahead of its apply, up to a bounded number of
/// bytes (<see cref="LayerApplier.StartDecompressing"/>): started while an earlier layer is still being applied,
/// its decompression overlaps that apply. Apply it with <see cref="LayerApplier.ApplyAsync(DecompressingLayer, string, LayerApplyOptions, CancellationToken)"/>
/// once; the diff id and compressed digest are checked there as for a stream.
/// </summary>
/// <remarks>Disposing stops the decompressing thread and waits for it; the caller disposes the layer stream after.</remarks>
public sealed class DecompressingLayer : IDisposable
{
    private readonly Stream _decompressed;
    private int _used;

    private DecompressingLayer(LayerCompression compression, IncrementalHash diffHash, IncrementalHash? compressedHash, Stream decompressed, ReadAheadStream readAhead)
    {
        Compression = compression;
        DiffHash = diffHash;
        CompressedHash = compressedHash;
        _decompressed = decompressed;
        ReadAhead = readAhead;
    }

    internal LayerCompression Compression { get; }

    /// <summary>Fed every decompressed byte on the producing thread.</summary>
    internal IncrementalHash DiffHash { get; }

    /// <summary>Fed every blob byte on the producing thread, or null for an uncompressed layer.</summary>
    internal IncrementalHash? CompressedHash { get; }

    /// <summary>The decompressed tar, in order.</summary>
    internal ReadAheadStream ReadAhead { get; }

    /// <summary>Detects the compression (reading the first bytes on the caller's thread) and starts the producing thread.</summary>
    internal static DecompressingLayer Start(Stream layer, LayerCompression requested, int chunkSize, int chunks, int sourceBufferSize)
    {
        (LayerCompression compression, byte[] prefix) = LayerStreamOpener.Detect(layer, requested);
        IncrementalHash diffHash = Digest.CreateHasher();
        IncrementalHash? compressedHash = compression == LayerCompression.None ? null : Digest.CreateHasher();
        Stream? decompressed = null;
        try
        {
            // Large reads of the blob: a content store stream may serve each read through the thread pool
            // (RandomAccess on a synchronous handle), and the inflater asks for 8 KiB at a time, which made
            // a hop, a wake-up and a spinning idle worker per 8 KiB. Not disposed: the caller owns the layer.
            Stream source = new PrefixedReadStream(prefix, new BufferedStream(layer, sourceBufferSize));
            HashingReadStream? compressed = compressedHash is null ? null : new HashingReadStream(source, compressedHash, long.MaxValue, "compressed layer");
            decompressed = compressed is null ? source : LayerStreamOpener.Decompress(compressed, compression);

            // Reading the blob, hashing it, decompressing and hashing the tar all run on one thread, ahead of
            // the entries being applied on another, through a bounded buffer. The compressed blob is drained
            // there too, after the last member, so nothing else reads it concurrently.
            var readAhead = new ReadAheadStream(decompressed, chunkSize, chunks, diffHash, compressed is null ? null : () => LayerApplier.Drain(compressed));
            return new DecompressingLayer(compression, diffHash, compressedHash, decompressed, readAhead);
        }
        catch
        {
            decompressed?.Dispose();
            diffHash.Dispose();
            compressedHash?.Dispose();
            throw;
        }
    }

    /// <summary>Marks the layer applied; a second apply is refused (its bytes were read).</summary>
    internal void Use()
    {
        if (Interlocked.Exchange(ref _used, 1) != 0)
        {
            throw new InvalidOperationException("this layer has been applied already");
        }
    }

    /// <summary>Stops the decompressing thread (waiting for it) and releases the hashes and the decompressor.</summary>
    public void Dispose()
    {
        ReadAhead.Dispose();
        _decompressed.Dispose();
        DiffHash.Dispose();
        CompressedHash?.Dispose();
    }
}
