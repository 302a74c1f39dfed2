using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A host attached to a task's output FIFO: reads it non-blocking (a blocked read(2) could not be
/// stopped, and would take output meant for the next reader) and collects the text. Disposing it
/// detaches: from then on nothing is read by this reader.
/// </summary>
internal sealed class FifoReader : IDisposable
{
    private readonly SafeFileHandle _fifo;
    private readonly StringBuilder _text = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FifoReader(string path)
    {
        _fifo = FifoInterop.OpenOrFail(path, FifoInterop.ORdOnly | FifoInterop.ONonBlock);
        _loop = Task.Run(ReadAsync);
    }

    /// <summary>What was read so far.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Waits (bounded) until the text contains <paramref name="expected"/>.</summary>
    public async Task<bool> WaitForAsync(string expected) => await ShimTestBed.EventuallyAsync(() => Text.Contains(expected, StringComparison.Ordinal));

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait();
        }
        catch (AggregateException)
        {
        }

        _fifo.Dispose();
        _stop.Dispose();
    }

    /// <summary>Writes <paramref name="text"/> into a FIFO (opened and closed for this write, as a host that comes and goes).</summary>
    public static unsafe void Write(string path, string text)
    {
        using SafeFileHandle fifo = FifoInterop.OpenOrFail(path, FifoInterop.OWrOnly);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* start = bytes)
        {
            Assert.That((int)FifoInterop.Write((int)fifo.DangerousGetHandle(), start, bytes.Length), Is.EqualTo(bytes.Length), $"write {path}");
        }
    }

    private async Task ReadAsync()
    {
        byte[] buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            nint n = Read(buffer);
            if (n > 0)
            {
                lock (_text)
                {
                    _ = _text.Append(Encoding.UTF8.GetString(buffer, 0, (int)n));
                }

                continue;
            }

            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private unsafe nint Read(byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            nint n = FifoInterop.Read((int)_fifo.DangerousGetHandle(), start, buffer.Length);
            return n < 0 ? 0 : n;
        }
    }
}
