using System.Net;

namespace Containers.Registry;

/// <summary>Upload content that streams from a <see cref="Stream"/> with a known length and reports bytes sent.</summary>
internal sealed class ProgressStreamContent : HttpContent
{
    private readonly Stream _source;
    private readonly long _length;
    private readonly IProgress<long>? _progress;

    public ProgressStreamContent(Stream source, long length, IProgress<long>? progress)
    {
        _source = source;
        _length = length;
        _progress = progress;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1024 * 1024];
        long sent = 0;
        while (sent < _length)
        {
            int read = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, _length - sent)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"upload source ended after {sent} of {_length} bytes");
            }

            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            sent += read;
            _progress?.Report(sent);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
