using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Containers.Snapshots.Apply;

/// <summary>
/// Reads its source on a dedicated thread into a bounded queue of chunks, so that producing the bytes
/// (decompressing a layer, hashing the compressed blob and, optionally, the bytes produced) runs on one core
/// while the reader applies them on another. The reader sees the bytes in order; at most
/// <c>chunks × chunk size</c> bytes are held.
/// </summary>
/// <remarks>
/// <para>
/// The hand-over blocks in the kernel (Monitor.Wait) instead of spinning: a thread-pool consumer woken per
/// chunk spun in sched_yield thousands of times per layer, burning the core the other thread needed.
/// </para>
/// <para>
/// A failure of the source (a malformed gzip stream, an I/O error) is raised, with its original type and
/// stack, by the reader's next read after the bytes produced before it. The end action runs on the
/// producing thread after the source's end, before the reader sees it: whatever else must read the
/// source's inner streams (draining the compressed blob after the last gzip member) happens there, never
/// concurrently with the producer. Disposing stops the producer and waits for it, so the caller can then
/// dispose the source.
/// </para>
/// </remarks>
internal sealed class ReadAheadStream : Stream
{
    private readonly Queue<(byte[] Buffer, int Length)> _chunks = new();
    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly Task _producer;
    private readonly int _chunkSize;
    private readonly Stream _source;
    private readonly IncrementalHash? _hash;
    private readonly Action? _atEnd;
    private ExceptionDispatchInfo? _failure;
    private bool _produced;
    private bool _stopped;
    private byte[]? _current;
    private int _offset;
    private int _length;
    private bool _ended;

    /// <param name="source">What to read ahead; only the producing thread reads it until it ends or this is disposed.</param>
    /// <param name="chunkSize">Bytes per chunk.</param>
    /// <param name="chunks">Chunks held at most.</param>
    /// <param name="hash">Fed every byte produced, in order, on the producing thread; complete once the reader has seen the end.</param>
    /// <param name="atEnd">Runs on the producing thread after the source ended.</param>
    public ReadAheadStream(Stream source, int chunkSize, int chunks, IncrementalHash? hash = null, Action? atEnd = null)
    {
        _source = source;
        _chunkSize = chunkSize;
        _capacity = chunks;
        _hash = hash;
        _atEnd = atEnd;
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
        bool first;
        lock (_gate)
        {
            first = !_stopped;
            _stopped = true;
            Monitor.PulseAll(_gate);
        }

        if (disposing && first)
        {
            // The producer may be inside a read of the source; the source must not be disposed under it.
            _producer.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).GetAwaiter().GetResult();
            ReturnCurrent();
            while (_chunks.TryDequeue(out (byte[] Buffer, int Length) chunk))
            {
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
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

        lock (_gate)
        {
            while (_chunks.Count == 0 && !_produced)
            {
                Monitor.Wait(_gate);
            }

            if (_chunks.TryDequeue(out (byte[] Buffer, int Length) chunk))
            {
                Monitor.PulseAll(_gate);
                (_current, _offset, _length) = (chunk.Buffer, 0, chunk.Length);
                return true;
            }
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

                _hash?.AppendData(buffer, 0, filled);
                if (!Enqueue(buffer, filled))
                {
                    buffer = null;
                    return;
                }

                buffer = null;
            }

            _atEnd?.Invoke();
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

            lock (_gate)
            {
                _produced = true;
                Monitor.PulseAll(_gate);
            }
        }
    }

    // Waits for room; false (and the buffer returned) once the reader is gone.
    private bool Enqueue(byte[] buffer, int length)
    {
        lock (_gate)
        {
            while (_chunks.Count >= _capacity && !_stopped)
            {
                Monitor.Wait(_gate);
            }

            if (_stopped)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return false;
            }

            _chunks.Enqueue((buffer, length));
            Monitor.PulseAll(_gate);
            return true;
        }
    }
}
