using Containers.Client;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>The threads the output copies run on: kept for the next copy, one per copy while copies run at once.</summary>
[NonParallelizable]
public sealed class CopyThreadsTests
{
    [Test]
    public async Task ACopyAfterAnotherRunsOnTheThreadTheFirstOneLeft()
    {
        // The first copy takes an idle thread if there is one (and gives it back), or makes one (and keeps it).
        int idle = Math.Max(CopyThreads.IdleCount, 1);
        int first = await RunAsync();
        await BackInThePoolAsync(idle);

        int second = await RunAsync();

        Assert.That(second, Is.EqualTo(first), "no new thread for the second copy");
    }

    [Test]
    public async Task CopiesAtTheSameTimeEachHaveAThread()
    {
        // Each copy waits for the other: on one shared thread neither would finish.
        using Barrier both = new(2);
        TaskCompletionSource<int> a = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<int> b = new(TaskCreationOptions.RunContinuationsAsynchronously);
        CopyThreads.Run(() => a.SetResult(both.SignalAndWait(TimeSpan.FromSeconds(30)) ? Environment.CurrentManagedThreadId : -1));
        CopyThreads.Run(() => b.SetResult(both.SignalAndWait(TimeSpan.FromSeconds(30)) ? Environment.CurrentManagedThreadId : -1));

        int[] threads = await Task.WhenAll(a.Task, b.Task).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.That(threads, Has.None.EqualTo(-1), "both copies ran at once");
        Assert.That(threads[0], Is.Not.EqualTo(threads[1]));
    }

    [Test]
    public async Task AFailingCopyDoesNotEndItsThread()
    {
        int idle = Math.Max(CopyThreads.IdleCount, 1);
        TaskCompletionSource<int> failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        CopyThreads.Run(() =>
        {
            failed.SetResult(Environment.CurrentManagedThreadId);
            throw new IOException("a copy that fails");
        });
        int thread = await failed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await BackInThePoolAsync(idle);

        Assert.That(await RunAsync(), Is.EqualTo(thread), "the thread took the next copy");
    }

    /// <summary>Waits (bounded) until the pool holds <paramref name="idle"/> threads: the copy's thread is back.</summary>
    private static async Task BackInThePoolAsync(int idle)
    {
        for (int i = 0; i < 500 && CopyThreads.IdleCount < idle; i++)
        {
            await Task.Delay(10);
        }

        Assert.That(CopyThreads.IdleCount, Is.GreaterThanOrEqualTo(idle), "the copy's thread went back to the pool");
    }

    private static async Task<int> RunAsync()
    {
        TaskCompletionSource<int> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        CopyThreads.Run(() => done.SetResult(Environment.CurrentManagedThreadId));
        return await done.Task.WaitAsync(TimeSpan.FromMinutes(1));
    }
}
