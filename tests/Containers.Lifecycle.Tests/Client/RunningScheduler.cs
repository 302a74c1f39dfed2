using Containers.Client;
using Containers.GarbageCollection;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// A provider of the bed whose GC scheduler is started, collecting at once at <c>DeletionThreshold</c> counted
/// deletions and otherwise minutes apart (<c>PauseThreshold</c> 0.0001: timed runs come 10 000 × a collection's
/// duration apart); disposing it stops the scheduler.
/// </summary>
internal sealed class RunningScheduler : IAsyncDisposable
{
    private RunningScheduler(ServiceProvider provider)
    {
        Provider = provider;
        Client = provider.GetRequiredService<ContainerClient>();
        Scheduler = provider.GetRequiredService<GarbageCollectionScheduler>();
    }

    public ServiceProvider Provider { get; }

    public ContainerClient Client { get; }

    public GarbageCollectionScheduler Scheduler { get; }

    public static async Task<RunningScheduler> StartAsync(FacadeTestBed bed, int deletionThreshold)
    {
        var running = new RunningScheduler(bed.NewProvider(o => o.Gc = new GarbageCollectionSchedulerOptions { DeletionThreshold = deletionThreshold, PauseThreshold = 0.0001 }));
        await running.Scheduler.StartAsync(CancellationToken.None);
        return running;
    }

    public async ValueTask DisposeAsync() => await Scheduler.StopAsync(CancellationToken.None);
}
