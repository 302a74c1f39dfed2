using System.Net;

namespace Containers.Registry;

/// <summary>
/// A read-only stream over a blob download that survives dropped connections: when a read fails
/// or stalls, it asks again with <c>Range: bytes=N-</c> from the last byte received and carries on.
/// It never returns more than the descriptor's size.
/// </summary>
internal sealed class ResumableBlobStream : Stream
{
    private readonly RegistryHttp _http;
    private readonly Func<long, CancellationToken, Task<HttpResponseMessage>> _send;
    private readonly string _name;
    private readonly long _length;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position;
    private int _consecutiveFailures;

    // send: issues the GET from a byte offset (through the mirrors, when there are any).
    public ResumableBlobStream(RegistryHttp http, Func<long, CancellationToken, Task<HttpResponseMessage>> send, string name, long length, long offset)
    {
        _http = http;
        _send = send;
        _name = name;
        _length = length;
        _position = offset;
    }

    /// <summary>How many times the transfer was resumed after a failure.</summary>
    public int Resumes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_position >= _length || buffer.IsEmpty)
            {
                return 0;
            }

            int read;
            using CancellationTokenSource stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(_http.Options.StallTimeout);
            try
            {
                _body ??= await OpenAsync(stall.Token).ConfigureAwait(false);
                int want = (int)Math.Min(buffer.Length, _length - _position);
                read = await _body.ReadAsync(buffer[..want], stall.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"blob {_name} ended after {_position} of {_length} bytes");
                }
            }
            catch (Exception ex) when (RegistryHttp.IsTransient(ex, cancellationToken) && _consecutiveFailures + 1 < _http.Options.Retry.MaxAttempts)
            {
                _consecutiveFailures++;
                Resumes++;
                CloseBody();
                await Task.Delay(_http.Options.Retry.DelayBefore(_consecutiveFailures + 1, null), cancellationToken).ConfigureAwait(false);
                continue;
            }

            _consecutiveFailures = 0;
            _position += read;
            return read;
        }
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
            CloseBody();
        }

        base.Dispose(disposing);
    }

    private async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        long offset = _position;
        HttpResponseMessage response = await _send(offset, cancellationToken).ConfigureAwait(false);
        try
        {
            await RegistryHttp.EnsureSuccessAsync(response, "blob", _name, cancellationToken).ConfigureAwait(false);
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (offset > 0)
            {
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    if (response.Content.Headers.ContentRange?.From is long from && from != offset)
                    {
                        throw new IOException($"registry resumed blob {_name} at {from}, asked for {offset}");
                    }
                }
                else
                {
                    // The registry ignored Range: skip what we already have.
                    await SkipAsync(body, offset, cancellationToken).ConfigureAwait(false);
                }
            }

            _response = response;
            return body;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        byte[] scratch = new byte[81920];
        while (count > 0)
        {
            int read = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("blob ended while skipping to the resume offset");
            }

            count -= read;
        }
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _body = null;
        _response?.Dispose();
        _response = null;
    }
}
