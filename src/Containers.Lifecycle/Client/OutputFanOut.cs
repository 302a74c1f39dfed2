using Microsoft.Win32.SafeHandles;
using Native = Containers.Lifecycle.Interop;

namespace Containers.Client;

/// <summary>
/// The one reader of a process's output FIFO in this host process while attachments read it: each chunk read is
/// handed to every attachment subscribed at that moment (<see cref="OutputSubscription"/>), so two attachments each
/// see all of the output written while they are attached, in order — two readers of one FIFO would each get only
/// the bytes their own read(2) took.
/// </summary>
/// <remarks>
/// Readers are found by the FIFO's path (an exec's and an init's FIFOs have paths of their own) in a registry of
/// this process, so every <see cref="ContainerClient"/> in it shares them. The reader reads only while someone is
/// subscribed: once the last attachment detached it closes the FIFO, and output waits there for a later reader
/// (what the shim does with a full FIFO nobody reads is the shim's policy). Reading and handing out one chunk
/// happen under the registry lock, as do subscribing and detaching, so a chunk is read only on behalf of
/// attachments that hold it, never read and then given to nobody. Hand-out never blocks: each attachment has its
/// own bounded queue and writer thread (<see cref="OutputSubscription"/>), so a stalled caller's stream cannot hold
/// back the others. A host process has one reader per FIFO; two host processes are two readers of the one FIFO
/// the shim writes to, and share its bytes.
/// </remarks>
internal sealed class OutputFanOut
{
    private const int PollMilliseconds = 200;
    private static readonly Lock Registry = new();
    private static readonly Dictionary<string, OutputFanOut> Readers = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly SafeFileHandle _fifo;
    private readonly List<OutputSubscription> _subscribers = [];

    private OutputFanOut(string path, SafeFileHandle fifo)
    {
        _path = path;
        _fifo = fifo;
    }

    /// <summary>Connects <paramref name="destination"/> to the output FIFO at <paramref name="path"/> from now on, starting its reader if it has none.</summary>
    /// <param name="path">The FIFO (from the shim's state of the process).</param>
    /// <param name="destination">The caller's stream.</param>
    /// <param name="stream">The stream's name, <c>stdout</c> or <c>stderr</c> (for threads and errors).</param>
    /// <exception cref="FailedPreconditionException">The FIFO cannot be opened.</exception>
    public static OutputSubscription Subscribe(string path, Stream destination, string stream)
    {
        lock (Registry)
        {
            if (!Readers.TryGetValue(path, out OutputFanOut? reader))
            {
                SafeFileHandle fifo;
                try
                {
                    fifo = Native.Open(path, Native.O_RDONLY | Native.O_NONBLOCK);
                }
                catch (IOException ex)
                {
                    throw new FailedPreconditionException($"cannot open {path}: {ex.Message}");
                }

                reader = new OutputFanOut(path, fifo);
                Readers.Add(path, reader);
                new Thread(reader.Run) { IsBackground = true, Name = "attach " + stream }.Start();
            }

            OutputSubscription subscription = new(reader, destination, stream);
            reader._subscribers.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Takes <paramref name="subscription"/> off the list (detached, failed or overrun); the reader stops at its next turn when it was the last.</summary>
    internal void Remove(OutputSubscription subscription)
    {
        lock (Registry)
        {
            _ = _subscribers.Remove(subscription);
        }
    }

    private void Run()
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (true)
            {
                _ = Native.Poll(_fifo, Native.POLLIN, PollMilliseconds);
                lock (Registry)
                {
                    if (_subscribers.Count == 0)
                    {
                        // Nobody left: what the process writes now waits in the FIFO for the next attachment.
                        _ = Readers.Remove(_path);
                        return;
                    }

                    // No event is not the end: a reader opened after the shim's writer was gone (an exited process
                    // whose output is read to its end) gets no POLLHUP, so a timed-out poll still reads once:
                    // EAGAIN while a writer is left, 0 once none is.
                    nint n = Native.Read(_fifo, buffer);
                    if (n > 0)
                    {
                        for (int i = _subscribers.Count - 1; i >= 0; i--)
                        {
                            if (!_subscribers[i].Offer(buffer.AsSpan(0, (int)n)))
                            {
                                _subscribers.RemoveAt(i);
                            }
                        }
                    }
                    else if (n == 0 || (n != -Native.EAGAIN && n != -4 /* EINTR */))
                    {
                        // End of file: the shim closed its end (the process's output ended, or it was deleted).
                        _ = Readers.Remove(_path);
                        foreach (OutputSubscription subscription in _subscribers)
                        {
                            subscription.End();
                        }

                        _subscribers.Clear();
                        return;
                    }
                }
            }
        }
        finally
        {
            // Also when something above threw: no attachment is left waiting on a reader that is gone.
            lock (Registry)
            {
                if (Readers.TryGetValue(_path, out OutputFanOut? registered) && registered == this)
                {
                    _ = Readers.Remove(_path);
                }

                foreach (OutputSubscription subscription in _subscribers)
                {
                    subscription.End();
                }

                _subscribers.Clear();
            }

            _fifo.Dispose();
        }
    }
}
