using Containers.Concurrency;

namespace Containers.Images.Tests.Concurrency;

[TestFixture]
public sealed class SingleFlightTests
{
    [Test]
    public async Task ConcurrentCallersForOneKeyShareOneOperation()
    {
        var flights = new SingleFlight<string, int>();
        var release = new TaskCompletionSource();
        int calls = 0;
        Task<int>[] callers = Enumerable.Range(0, 8).Select(_ => flights.RunAsync("key", async _ =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return 42;
        })).ToArray();

        Assert.That(flights.InFlight, Is.EqualTo(1));
        release.SetResult();
        Assert.That(await Task.WhenAll(callers), Has.All.EqualTo(42));
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(flights.InFlight, Is.Zero);
    }

    [Test]
    public async Task ResultsAreNotCached()
    {
        var flights = new SingleFlight<string, int>();
        int calls = 0;
        Assert.That(await flights.RunAsync("key", _ => Task.FromResult(Interlocked.Increment(ref calls))), Is.EqualTo(1));
        Assert.That(await flights.RunAsync("key", _ => Task.FromResult(Interlocked.Increment(ref calls))), Is.EqualTo(2));
    }

    [Test]
    public async Task DifferentKeysRunSeparately()
    {
        var flights = new SingleFlight<int, int>();
        var release = new TaskCompletionSource();
        int calls = 0;
        Task<int>[] callers = Enumerable.Range(0, 4).Select(i => flights.RunAsync(i, async _ =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            return i;
        })).ToArray();
        release.SetResult();
        Assert.That(await Task.WhenAll(callers), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(calls, Is.EqualTo(4));
    }

    [Test]
    public void AFailureReachesEveryCaller()
    {
        var flights = new SingleFlight<string, int>();
        var release = new TaskCompletionSource();
        int calls = 0;
        Task<int>[] callers = Enumerable.Range(0, 5).Select(_ => flights.RunAsync("key", async _ =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            throw new DigestMismatchException(default, 1, 2);
        })).ToArray();
        release.SetResult();
        foreach (Task<int> caller in callers)
        {
            Assert.ThrowsAsync<DigestMismatchException>(() => caller);
        }

        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task OneCallerCancellingDoesNotCancelTheOthers()
    {
        var flights = new SingleFlight<string, int>();
        var release = new TaskCompletionSource();
        CancellationToken seen = default;
        using var impatient = new CancellationTokenSource();
        Task<int> first = flights.RunAsync("key", async token =>
        {
            seen = token;
            await release.Task.WaitAsync(token);
            return 7;
        }, impatient.Token);
        Task<int> second = flights.RunAsync("key", _ => Task.FromResult(-1));

        await impatient.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => first);
        release.SetResult();
        Assert.That(await second, Is.EqualTo(7));
        Assert.That(seen.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task WhenEveryCallerCancelsTheOperationIsCancelled()
    {
        var flights = new SingleFlight<string, int>();
        var observed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var a = new CancellationTokenSource();
        using var b = new CancellationTokenSource();
        Func<CancellationToken, Task<int>> operation = async token =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
                return 0;
            }
            finally
            {
                observed.TrySetResult(token.IsCancellationRequested);
            }
        };
        Task<int> first = flights.RunAsync("key", operation, a.Token);
        Task<int> second = flights.RunAsync("key", operation, b.Token);
        // Cancelled before the pool ran it, the operation would never start (Task.Run with a cancelled token), and there
        // would be nothing to observe: a busy machine did that once. The case here is a running operation.
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await a.CancelAsync();
        await b.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => first);
        Assert.CatchAsync<OperationCanceledException>(() => second);
        Assert.That(await observed.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);

        // A later caller starts a fresh operation instead of joining the cancelled one.
        Assert.That(await flights.RunAsync("key", _ => Task.FromResult(5)), Is.EqualTo(5));
    }
}
