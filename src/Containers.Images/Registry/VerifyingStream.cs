using System.Security.Cryptography;
using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>
/// Passes a blob through while hashing it; at the end it throws <see cref="DigestMismatchException"/>
/// if the size or digest differs from the descriptor, so a reader never sees a clean end of a bad blob.
/// </summary>
internal sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly Descriptor _descriptor;
    private readonly IncrementalHash _hasher;
    private long _read;
    private bool _verified;

    public VerifyingStream(Stream inner, Descriptor descriptor)
    {
        _inner = inner;
        _descriptor = descriptor;
        _hasher = Digest.CreateHasher(descriptor.Digest.Algorithm);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _descriptor.Size;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _hasher.AppendData(buffer.Span[..read]);
            _read += read;
        }
        else if (!buffer.IsEmpty)
        {
            Verify();
        }

        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

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
            _hasher.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Verify()
    {
        if (_verified)
        {
            return;
        }

        _verified = true;
        if (_read != _descriptor.Size)
        {
            throw new DigestMismatchException(_descriptor.Digest, _descriptor.Size, _read);
        }

        Digest actual = Digest.FromHash(_descriptor.Digest.Algorithm, _hasher.GetHashAndReset());
        if (actual != _descriptor.Digest)
        {
            throw new DigestMismatchException(_descriptor.Digest, actual);
        }
    }
}
