namespace Containers.Lifecycle.Tests.Client;

/// <summary>A write-only stream whose writes block until <see cref="Release"/> (a caller that stopped reading), then count what they write.</summary>
internal sealed class StalledStream : Stream
{
    private readonly ManualResetEventSlim _released = new();
    private readonly MemoryStream _data = new();
    private readonly Lock _lock = new();

    /// <summary>Set once a write is blocked here.</summary>
    public ManualResetEventSlim Blocked { get; } = new();

    /// <summary>What was written (after the release).</summary>
    public byte[] Written
    {
        get
        {
            lock (_lock)
            {
                return _data.ToArray();
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Lets blocked and later writes through.</summary>
    public void Release() => _released.Set();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Blocked.Set();
        _released.Wait();
        lock (_lock)
        {
            _data.Write(buffer, offset, count);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _released.Set();
            _released.Dispose();
            Blocked.Dispose();
        }

        base.Dispose(disposing);
    }
}
