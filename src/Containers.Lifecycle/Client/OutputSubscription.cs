namespace Containers.Client;

/// <summary>
/// One attachment's share of a process's output stream (<see cref="OutputFanOut"/>): a queue of the chunks read
/// for it and a dedicated thread writing them, in order, to the caller's stream. The queue is bounded by
/// <see cref="TaskAttachment.MaxPendingOutputBytes"/> (bytes read for it and not yet written, the chunk being
/// written included): a caller's stream that falls further behind is detached with an
/// <see cref="AttachmentOverrunException"/> instead of holding back the reader and every other attachment, or
/// being skipped silently.
/// </summary>
internal sealed class OutputSubscription
{
    private readonly OutputFanOut _reader;
    private readonly Stream _destination;
    private readonly string _stream;
    // A monitor, not a Lock: the writer waits on it for chunks (Monitor.Wait/Pulse).
    private readonly object _gate = new();
    private readonly Queue<byte[]> _queue = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _pending;
    private bool _ended;
    private bool _stopped;

    internal OutputSubscription(OutputFanOut reader, Stream destination, string stream)
    {
        _reader = reader;
        _destination = destination;
        _stream = stream;
        new Thread(() =>
        {
            try
            {
                Write();
            }
            finally
            {
                _writerExited.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = "attach " + stream + " writer",
        }.Start();
    }

    /// <summary>
    /// Completes once the output reached end of file and all of it was written, or the subscription was detached;
    /// faults with <see cref="AttachmentOverrunException"/> when it fell behind, or with the caller's stream's error.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>Completes once the writer thread has written its last byte to the caller's stream.</summary>
    public Task WriterExited => _writerExited.Task;

    /// <summary>Detaches: no more output is queued, the writer stops after the write in progress (see <see cref="WriterExited"/>); what was queued is not written.</summary>
    public void Detach()
    {
        _reader.Remove(this);
        Stop(null);
    }

    /// <summary>Queues a copy of <paramref name="chunk"/> (called by the reader, under its lock); false when the subscription is to be dropped (stopped, or now overrun).</summary>
    internal bool Offer(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            if (_pending + chunk.Length > TaskAttachment.MaxPendingOutputBytes)
            {
                StopLocked(new AttachmentOverrunException(_stream, TaskAttachment.MaxPendingOutputBytes));
                return false;
            }

            _queue.Enqueue(chunk.ToArray());
            _pending += chunk.Length;
            Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>The output ended (end of file): the writer finishes what is queued, then completes.</summary>
    internal void End()
    {
        lock (_gate)
        {
            _ended = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Stop(Exception? error)
    {
        lock (_gate)
        {
            StopLocked(error);
        }
    }

    private void StopLocked(Exception? error)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _queue.Clear();
        Monitor.Pulse(_gate);
        _ = error is null ? _completion.TrySetResult() : _completion.TrySetException(error);
    }

    private void Write()
    {
        while (true)
        {
            byte[] chunk;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_ended && !_stopped)
                {
                    _ = Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    return;
                }

                if (_queue.Count == 0)
                {
                    _stopped = true;
                    _ = _completion.TrySetResult();
                    return;
                }

                chunk = _queue.Dequeue();
            }

            try
            {
                _destination.Write(chunk);
                _destination.Flush();
            }
            catch (Exception ex)
            {
                // The caller's stream failed: this attachment's copy ends with its error, the others go on.
                _reader.Remove(this);
                Stop(ex);
                return;
            }

            lock (_gate)
            {
                _pending -= chunk.Length;
            }
        }
    }
}
