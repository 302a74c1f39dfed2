namespace Containers.Client;

/// <summary>
/// The dedicated threads the output copies run on, kept for the next copy instead of made for each: a run started
/// two threads (stdout and stderr) and <see cref="Thread.Start()"/> waits until each runs, so both creations and hand-shakes
/// lay on every task create's path. A copy still has a thread of its own while it runs (a slow destination holds up
/// no other copy); a thread idle for <see cref="IdleTimeout"/> exits.
/// </summary>
internal static class CopyThreads
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lock Gate = new();
    private static readonly List<Worker> Idle = [];

    /// <summary>Runs <paramref name="work"/> on an idle copy thread, or on a new one; returns at once.</summary>
    /// <param name="work">The copy; it reports its own outcome (an exception it throws is dropped).</param>
    public static void Run(Action work)
    {
        lock (Gate)
        {
            if (Idle.Count > 0)
            {
                Worker worker = Idle[^1];
                Idle.RemoveAt(Idle.Count - 1);
                worker.Give(work);
                return;
            }
        }

        new Worker(work).Start();
    }

    /// <summary>How many copy threads wait for work now (for tests).</summary>
    internal static int IdleCount
    {
        get
        {
            lock (Gate)
            {
                return Idle.Count;
            }
        }
    }

    private sealed class Worker(Action first)
    {
        private readonly SemaphoreSlim _signal = new(0);
        private Action? _work = first;

        public void Start() => new Thread(Loop) { IsBackground = true, Name = "stdio copy" }.Start();

        public void Give(Action work)
        {
            _work = work;
            _ = _signal.Release();
        }

        private void Loop()
        {
            while (true)
            {
                Action work = _work!;
                _work = null;
                try
                {
                    work();
                }
                catch (Exception)
                {
                    // The copy reports its outcome itself; nothing may end this thread.
                }

                lock (Gate)
                {
                    Idle.Add(this);
                }

                if (!_signal.Wait(IdleTimeout))
                {
                    lock (Gate)
                    {
                        if (Idle.Remove(this))
                        {
                            _signal.Dispose();
                            return;
                        }
                    }

                    // Taken for work just as the wait timed out: its Give has released (or is about to release) the signal.
                    _signal.Wait();
                }
            }
        }
    }
}
