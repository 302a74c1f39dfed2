using System.Security.Cryptography;

namespace Containers.Snapshots.Apply;

/// <summary>
/// A forward-only pass-through that counts (and optionally hashes) every byte read through it, so a layer's
/// digest is computed in the same pass that reads it (on the read-ahead thread, see
/// <see cref="ReadAheadStream"/>), and refuses to read past a size bound.
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash? _hash;
    private readonly long _maxBytes;
    private readonly string _limitName;
    private readonly PaxXattrCapture? _observer;

    public HashingReadStream(Stream inner, IncrementalHash? hash, long maxBytes, string limitName, PaxXattrCapture? observer = null)
    {
        _inner = inner;
        _hash = hash;
        _maxBytes = maxBytes;
        _limitName = limitName;
        _observer = observer;
    }

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_observer?.PaxDataAhead is > 0 and long ahead && buffer.Length >= ahead)
        {
            return ReadPaxData(buffer[..(int)ahead]);
        }

        int n = _inner.Read(buffer);
        Account(buffer[..n]);
        _hash?.AppendData(buffer[..n]);
        return n;
    }

    // A PAX data block is read whole (TarReader asks for exactly its size), observed with its raw bytes, and
    // only then masked for TarReader (see PaxXattrCapture.MaskNewlines). A short block (the archive ends
    // inside it) is passed on as it is, for TarReader to refuse.
    private int ReadPaxData(Span<byte> block)
    {
        int n = 0;
        while (n < block.Length && _inner.Read(block[n..]) is int read and > 0)
        {
            n += read;
        }

        Account(block[..n]);
        _hash?.AppendData(block[..n]);
        if (n == block.Length)
        {
            PaxXattrCapture.MaskNewlines(block);
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Account(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        BytesRead += data.Length;
        if (BytesRead > _maxBytes)
        {
            throw new SizeLimitExceededException(_limitName, _maxBytes);
        }

        _observer?.Observe(data);
    }
}
