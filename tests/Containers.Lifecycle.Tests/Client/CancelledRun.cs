using Containers.Client;
using Containers.Images;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>A <c>RunAsync</c> of <c>sleep 1000</c> that is cancelled as soon as its task has started.</summary>
internal static class CancelledRun
{
    /// <summary>Runs container <paramref name="id"/>, cancels it on its TaskStart event and checks the run ended in cancellation.</summary>
    public static async Task RunAsync(ContainerClient client, Image image, string id)
    {
        using CancellationTokenSource run = new();
        using CancellationTokenSource watch = new(TimeSpan.FromMinutes(2));
        // Subscribed before the run (the bus registers at the call), so the start cannot be missed.
        IAsyncEnumerable<Containers.Events.EventEnvelope> events = client.Events.SubscribeAsync(null, watch.Token);
        Task cancelOnStart = Task.Run(async () =>
        {
            await foreach (Containers.Events.EventEnvelope e in events)
            {
                if (e.Event is Containers.Events.TaskStart start && start.ContainerId == id)
                {
                    await run.CancelAsync();
                    return;
                }
            }
        });

        Assert.CatchAsync<OperationCanceledException>(async () => await client.RunAsync(image, ["sleep", "1000"], new RunOptions { Id = id }, run.Token));
        await cancelOnStart;
    }
}
