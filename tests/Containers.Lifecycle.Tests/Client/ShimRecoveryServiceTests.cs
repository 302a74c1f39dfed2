using Containers.Client;
using Containers.DependencyInjection;
using Containers.Events;
using Containers.Images;
using Containers.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>The hosted service of <c>AddContainerRuntime</c> reconnects to tasks another client started.</summary>
[NonParallelizable]
public sealed class ShimRecoveryServiceTests
{
    [Test]
    public async Task TheHostedServiceReconnectsToATaskStartedByAnotherClient()
    {
        await using FacadeTestBed bed = await FacadeTestBed.CreateAsync();
        ServiceProvider firstProvider = bed.NewProvider();
        ContainerClient first = firstProvider.GetRequiredService<ContainerClient>();
        Image image = await first.PullAsync(bed.Reference);
        string id = "recover-" + Guid.NewGuid().ToString("N")[..8];
        string log = bed.Directory.Combine(id + ".log");
        Container created = await first.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "echo started; exec sleep 1000"] });
        ContainerTask started = await created.NewTaskAsync(new ProcessIO { LogFile = log });
        int pid = await started.StartAsync();

        // A second application over the same root and state, as after a restart: the first one ends (each
        // exit is published by one host only, so a first host still watching could take it).
        await firstProvider.DisposeAsync();
        ServiceProvider second = bed.NewProvider();
        ShimRecoveryService recovery = second.GetServices<IHostedService>().OfType<ShimRecoveryService>().Single();
        await recovery.StartAsync(CancellationToken.None);
        ContainerClient client = second.GetRequiredService<ContainerClient>();
        using CancellationTokenSource cts = new(TimeSpan.FromMinutes(2));
        await using IAsyncEnumerator<EventEnvelope> events = client.Events.SubscribeAsync(null, cts.Token).GetAsyncEnumerator(cts.Token);
        Container container = await client.LoadContainerAsync(id);
        ContainerTask task = await container.LoadTaskAsync();
        await task.KillAsync(9);
        ExitStatus status = await task.WaitAsync();
        TaskExit? exit = null;
        while (exit is null && await events.MoveNextAsync())
        {
            exit = events.Current.Event as TaskExit;
        }

        _ = await task.DeleteAsync();
        await container.DeleteAsync();
        await recovery.StopAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            TaskState found = recovery.Recovered.Single(t => t.ContainerId == id);
            Assert.That(found.Status, Is.EqualTo(ProcessStatus.Running));
            Assert.That(found.Pid, Is.EqualTo(pid));
            Assert.That(task.Pid, Is.EqualTo(pid));
            Assert.That(status.ExitCode, Is.EqualTo(137));
            Assert.That(exit!.ContainerId, Is.EqualTo(id), "the exit came from the second client's watcher");
            Assert.That(exit.ExitCode, Is.EqualTo(137));
            Assert.That(File.ReadAllText(log), Is.EqualTo("started\n"));
            Assert.That(bed.MountsUnder(), Is.Empty);
            Assert.That(bed.Shims(), Is.Empty);
        });
    }
}
