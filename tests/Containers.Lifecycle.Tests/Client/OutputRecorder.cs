using System.Text;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>A write-only stream that records what a copy thread writes and lets a test wait for a piece of text in it.</summary>
internal sealed class OutputRecorder : Stream
{
    private readonly Lock _lock = new();
    private readonly MemoryStream _data = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Everything written so far, as UTF-8.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_data.GetBuffer(), 0, (int)_data.Length);
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Waits until the text written contains <paramref name="text"/> (the test's timeout bounds it).</summary>
    public async Task WaitForAsync(string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (Encoding.UTF8.GetString(_data.GetBuffer(), 0, (int)_data.Length).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"\"{text}\" did not appear; output so far: \"{Text}\"");
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _data.Write(buffer, offset, count);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
