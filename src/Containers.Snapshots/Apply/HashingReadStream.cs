namespace Containers.Snapshots.Apply;

/// <summary>
/// A forward-only pass-through that hashes and counts every byte read through it, so a layer's
/// digest is computed in the same pass that applies it (on a background task, see
/// <see cref="PipelinedHash"/>), and refuses to read past a size bound.
/// </summary>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly PipelinedHash _hash;
    private readonly long _maxBytes;
    private readonly string _limitName;
    private readonly PaxXattrCapture? _observer;

    public HashingReadStream(Stream inner, PipelinedHash hash, long maxBytes, string limitName, PaxXattrCapture? observer = null)
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
        int n = _inner.Read(buffer);
        Account(buffer[..n]);
        _hash.Append(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        await _hash.AppendAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
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
