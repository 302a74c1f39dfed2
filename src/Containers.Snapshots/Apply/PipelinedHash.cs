using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Containers.Snapshots.Apply;

/// <summary>
/// Hashes bytes on a background task, so that computing a layer's digest overlaps with writing
/// its files instead of adding to it (sha256 is a third of the work of applying a layer).
/// Bytes are copied into 1 MiB chunks, handed over in order through a bounded channel.
/// </summary>
internal sealed class PipelinedHash : IDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly IncrementalHash _hash;
    private readonly Channel<(byte[] Buffer, int Length)> _chunks =
        Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });

    private readonly Task _consumer;
    private byte[] _current = ArrayPool<byte>.Shared.Rent(ChunkSize);
    private int _filled;
    private bool _completed;

    public PipelinedHash(IncrementalHash hash)
    {
        _hash = hash;
        _consumer = Task.Run(ConsumeAsync);
    }

    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(ChunkSize - _filled, data.Length);
            data.Span[..n].CopyTo(_current.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == ChunkSize)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The synchronous path, for callers that read synchronously; blocks only when the hasher is 4 MiB behind.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(ChunkSize - _filled, data.Length);
            data[..n].CopyTo(_current.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == ChunkSize)
            {
                FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>Hashes what is left and returns the digest.</summary>
    public async Task<byte[]> CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        _chunks.Writer.Complete();
        await _consumer.ConfigureAwait(false);
        return _hash.GetHashAndReset();
    }

    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _chunks.Writer.TryComplete();

            // The consumer must be done with the hash object before it is disposed; it has at
            // most four chunks left.
            _consumer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).GetAwaiter().GetResult();
        }

        ArrayPool<byte>.Shared.Return(_current);
        _hash.Dispose();
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_filled == 0)
        {
            return;
        }

        await _chunks.Writer.WriteAsync((_current, _filled), cancellationToken).ConfigureAwait(false);
        _current = ArrayPool<byte>.Shared.Rent(ChunkSize);
        _filled = 0;
    }

    private async Task ConsumeAsync()
    {
        await foreach ((byte[] buffer, int length) in _chunks.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            _hash.AppendData(buffer, 0, length);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
