namespace Containers.Images.Pull;

/// <summary>
/// A read-only pass-through that reports how far into a blob the reads have got (starting at the
/// offset a resumed download starts from), at most once per <see cref="ReportEvery"/> bytes so the
/// hot path does not allocate a report per socket read.
/// </summary>
internal sealed class CountingReadStream : Stream
{
    private const long ReportEvery = 512 * 1024;
    private readonly Stream _inner;
    private readonly Action<long> _received;
    private long _position;
    private long _reported;

    public CountingReadStream(Stream inner, long start, Action<long> received)
    {
        _inner = inner;
        _position = start;
        _reported = start;
        _received = received;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Count(int read)
    {
        _position += read;
        if (read == 0 || _position - _reported >= ReportEvery)
        {
            _reported = _position;
            _received(_position);
        }

        return read;
    }
}
