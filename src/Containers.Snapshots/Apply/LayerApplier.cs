using System.Formats.Tar;
using System.Security.Cryptography;
using Containers.Diff;

namespace Containers.Snapshots.Apply;

/// <summary>
/// Applies OCI layers (plain, gzip or zstd tar) to a directory with every file system operation
/// made relative to the root's file descriptor, and computes the diff id in the same pass.
/// </summary>
/// <remarks>
/// <para>
/// Entry names are cleaned lexically as paths rooted at the layer root (<c>..</c> never climbs above
/// it; absolute names are relative to it), and entries that name the root itself are skipped.
/// Parents are then resolved by the kernel with <c>openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)</c>,
/// so symlinks already in the tree, absolute or relative, resolve inside it as well; files are
/// created with <c>O_CREAT | O_EXCL | O_NOFOLLOW</c> after removing what was there, owners and modes
/// are applied through the new file's fd (or without following the last component), and directory
/// times are restored after all entries.
/// </para>
/// <para>
/// Parsed by <see cref="TarReader"/>: ustar, PAX (long names and links, <c>SCHILY.xattr.*</c>,
/// whose binary values are taken from the raw header bytes), GNU long names and links, and
/// V7. GNU sparse files are refused with <see cref="UnsupportedException"/>: in .NET 10 TarReader
/// throws for old GNU type <c>S</c> entries, and for PAX sparse formats (0.0, 0.1, 1.0) returns
/// the packed data under a placeholder name, which must not be written as the file.
/// </para>
/// </remarks>
public sealed class LayerApplier : ILayerApplier
{
    // 8 × 256 KiB: enough for the decompressor to stay ahead across a run of small files.
    private const int ReadAheadChunkSize = 256 * 1024;
    private const int ReadAheadChunks = 8;
    private const int SourceBufferSize = 1 << 20;

    /// <inheritdoc />
    /// <remarks>
    /// The apply is a long run of small blocking system calls (openat, write, fchown…), so it
    /// runs synchronously on a dedicated thread, as TarFile.ExtractToDirectory does, rather than
    /// hopping through the thread pool for every read; the caller's thread is not blocked.
    /// Cancellation is observed between entries and between data reads (a read already blocked
    /// on the layer stream is not interrupted).
    /// </remarks>
    public Task<LayerApplyResult> ApplyAsync(Stream layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTotalBytes);

        return Task.Factory.StartNew(
            () => Apply(layer, rootDirectory, options, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Starts reading, hashing and decompressing <paramref name="layer"/> on a thread of its own, up to
    /// <paramref name="aheadBytes"/> of tar ahead of its apply, so that an earlier layer's apply overlaps it. Apply
    /// the result with <see cref="ApplyAsync(DecompressingLayer, string, LayerApplyOptions, CancellationToken)"/>;
    /// dispose it (then the stream) whether or not it was applied.
    /// </summary>
    /// <param name="layer">The layer blob; read from here on by the decompressing thread only.</param>
    /// <param name="compression">The blob's compression, or <see cref="LayerCompression.Auto"/>.</param>
    /// <param name="aheadBytes">Decompressed bytes held at most (rounded up to 256 KiB; at least 2 MiB).</param>
    public static DecompressingLayer StartDecompressing(Stream layer, LayerCompression compression, long aheadBytes)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfNegative(aheadBytes);
        int chunks = (int)Math.Clamp((aheadBytes + ReadAheadChunkSize - 1) / ReadAheadChunkSize, ReadAheadChunks, 1 << 16);
        return DecompressingLayer.Start(layer, compression, ReadAheadChunkSize, chunks, SourceBufferSize);
    }

    /// <summary>Applies a layer started by <see cref="StartDecompressing"/>; <see cref="LayerApplyOptions.Compression"/> is not used (it was detected then).</summary>
    /// <param name="layer">The started layer; applied once.</param>
    /// <param name="rootDirectory">The directory to apply into.</param>
    /// <param name="options">Whiteout mode and limits.</param>
    /// <param name="cancellationToken">Observed between entries and data reads.</param>
    public Task<LayerApplyResult> ApplyAsync(DecompressingLayer layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTotalBytes);
        layer.Use();
        return Task.Factory.StartNew(
            () => Apply(layer, rootDirectory, options, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static LayerApplyResult Apply(Stream layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken)
    {
        // 8 × 256 KiB ahead: decompression of this layer overlaps its own apply only.
        using DecompressingLayer started = DecompressingLayer.Start(layer, options.Compression, ReadAheadChunkSize, ReadAheadChunks, SourceBufferSize);
        return Apply(started, rootDirectory, options, cancellationToken);
    }

    private static LayerApplyResult Apply(DecompressingLayer layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken)
    {
        using RootedTree tree = RootedTree.Open(rootDirectory);
        LayerCompression compression = layer.Compression;
        IncrementalHash diffHash = layer.DiffHash;
        IncrementalHash? compressedHash = layer.CompressedHash;
        var capture = new PaxXattrCapture();

        // The diff id covers every byte produced, which is the whole tar once it has been drained below.
        var tar = new HashingReadStream(layer.ReadAhead, null, options.MaxTotalBytes, "layer size", capture);

        long entries = 0;
        using var session = new LayerApplySession(tree, options, capture);
        using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (NextEntry(reader, cancellationToken) is { } entry)
            {
                if (++entries > options.MaxEntries)
                {
                    throw new SizeLimitExceededException("layer entries", options.MaxEntries);
                }

                ApplyEntry(session, entry, cancellationToken);
            }
        }

        // The diff id covers the whole stream, including the zero blocks and record padding
        // after the end-of-archive marker, and the compressed digest covers the whole blob (drained
        // by the read-ahead thread once the decompressor ends).
        Drain(tar);

        session.RestoreDirectoryTimes();

        // The read-ahead thread has ended (the tar was read to its end), so both hashes are complete.
        Digest diffId = Digest.FromHash(DigestAlgorithm.Sha256, diffHash.GetHashAndReset());
        Digest? compressedDigest = compressedHash is null ? null : Digest.FromHash(DigestAlgorithm.Sha256, compressedHash.GetHashAndReset());
        return new LayerApplyResult(diffId, compressedDigest, tar.BytesRead, entries, compression, session.Skipped, session.Notes);
    }

    private static void ApplyEntry(LayerApplySession session, TarEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            session.Apply(entry, cancellationToken);
        }
        catch (ErrnoException e) when (e.Errno is not (Interop.ENOSPC or Interop.EDQUOT or Interop.EIO or Interop.EROFS))
        {
            // The layer asked for something the tree cannot hold (a file under a file, a link to
            // a directory, a symlink loop…); resource failures stay IOExceptions.
            throw new InvalidLayerException(InvalidLayerReason.InvalidEntry, entry.Name, e.Message, e);
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw new InvalidLayerException(InvalidLayerReason.MalformedArchive, entry.Name, e.Message, e);
        }
    }

    private static TarEntry? NextEntry(TarReader reader, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw new InvalidLayerException(InvalidLayerReason.MalformedArchive, null, e.Message, e);
        }
        catch (NotSupportedException e)
        {
            // TarReader's own refusal, for example of old GNU sparse entries (type 'S').
            throw new UnsupportedException($"layer uses a tar feature System.Formats.Tar does not read: {e.Message}");
        }
    }

    internal static void Drain(Stream stream)
    {
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (stream.Read(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (IsFormatError(e))
        {
            throw new InvalidLayerException(InvalidLayerReason.MalformedArchive, null, e.Message, e);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // What TarReader, GZipStream and ZstdSharp raise for bytes that are not what they claim.
    private static bool IsFormatError(Exception e) =>
        e is InvalidDataException or FormatException or EndOfStreamException or OverflowException or ZstdSharp.ZstdException;
}
