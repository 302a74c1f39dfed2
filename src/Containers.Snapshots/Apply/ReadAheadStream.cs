using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Containers.Snapshots.Apply;

/// <summary>
/// Reads its source on a dedicated thread into a bounded queue of chunks, so that producing the bytes
/// (decompressing a layer, hashing the compressed blob) runs on one core while the reader applies them
/// on another. The reader sees the bytes in order; at most <c>chunks × chunk size</c> bytes are held.
/// </summary>
/// <remarks>
/// A failure of the source (a malformed gzip stream, an I/O error) is raised, with its original type and
/// stack, by the reader's next read after the bytes produced before it. The end action runs on the
/// producing thread after the source's end, before the reader sees it: whatever else must read the
/// source's inner streams (draining the compressed blob after the last gzip member) happens there, never
/// concurrently with the producer. Disposing stops the producer and waits for it, so the caller can then
/// dispose the source.
/// </remarks>
internal sealed class ReadAheadStream : Stream
{
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly int _chunkSize;
    private readonly Stream _source;
    private readonly Action? _atEnd;
    private ExceptionDispatchInfo? _failure;
    private byte[]? _current;
    private int _offset;
    private int _length;
    private bool _ended;

    public ReadAheadStream(Stream source, int chunkSize, int chunks, Action? atEnd = null)
    {
        _source = source;
        _chunkSize = chunkSize;
        _atEnd = atEnd;
        _chunks = new BlockingCollection<(byte[], int)>(chunks);
        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_offset == _length)
        {
            if (!NextChunk())
            {
                return 0;
            }
        }

        int n = Math.Min(buffer.Length, _length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            _stop.Cancel();

            // The producer may be inside a read of the source; the source must not be disposed under it.
            _producer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).GetAwaiter().GetResult();
            ReturnCurrent();
            while (_chunks.TryTake(out (byte[] Buffer, int Length) chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }

            _chunks.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool NextChunk()
    {
        ReturnCurrent();
        if (_ended)
        {
            return false;
        }

        if (_chunks.TryTake(out (byte[] Buffer, int Length) chunk, Timeout.Infinite))
        {
            (_current, _offset, _length) = (chunk.Buffer, 0, chunk.Length);
            return true;
        }

        // Completed: every chunk has been read; the producer's failure, if any, comes after them.
        _ended = true;
        _failure?.Throw();
        return false;
    }

    private void ReturnCurrent()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
            _offset = _length = 0;
        }
    }

    private void Produce()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                buffer = ArrayPool<byte>.Shared.Rent(_chunkSize);
                int filled = 0;

                // Fill whole chunks: GZipStream returns at most what one inflate call produced.
                while (filled < buffer.Length)
                {
                    int n = _source.Read(buffer.AsSpan(filled));
                    if (n == 0)
                    {
                        break;
                    }

                    filled += n;
                }

                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    break;
                }

                _chunks.Add((buffer, filled), _stop.Token);
                buffer = null;
            }

            _atEnd?.Invoke();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _chunks.CompleteAdding();
        }
    }
}
