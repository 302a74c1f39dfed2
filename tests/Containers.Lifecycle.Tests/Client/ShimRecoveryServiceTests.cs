using Containers.Client;
using Containers.DependencyInjection;
using Containers.Events;
using Containers.Images;
using Containers.Oci;
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
            Assert.That(bed.ShimsAfterExits(), Is.Empty);
        });
    }
    [Test]
    public async Task AnOomWhileNoHostIsThereIsReportedOnceByTheNextHostsRecovery()
    {
        await using FacadeTestBed bed = await FacadeTestBed.CreateAsync();
        ServiceProvider firstProvider = bed.NewProvider();
        ContainerClient first = firstProvider.GetRequiredService<ContainerClient>();
        Image image = await first.PullAsync(bed.Reference);
        string id = "oomaway-" + Guid.NewGuid().ToString("N")[..8];
        // The init waits for a file the test makes once the first host is gone, then allocates past its limit.
        ContainerOptions options = new() { Args = ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; x=a; while :; do x=$x$x; done"] };
        options.Spec.Add(SpecOptions.WithMemoryLimit(16 << 20));
        Container created = await first.CreateContainerAsync(id, image, options);
        ContainerTask started = await created.NewTaskAsync();
        _ = await started.StartAsync();

        // The first host ends without deleting anything, as after a crash (its watchers stop with it).
        await firstProvider.DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(bed.State, "bundles", FacadeTestBed.Namespace, id, "rootfs", "tmp", "go"), "");
        string shims = Path.Combine(bed.State, "shims");
        using CancellationTokenSource cts = new(TimeSpan.FromMinutes(2));
        while (!Directory.EnumerateFiles(shims, "exit.json", SearchOption.AllDirectories).Any(f => f.Contains(id, StringComparison.Ordinal)))
        {
            await Task.Delay(100, cts.Token); // the shim records the init's exit while no host is there
        }

        // The next host: its recovery publishes what happened meanwhile, before StartAsync returns.
        ServiceProvider second = bed.NewProvider();
        ContainerClient client = second.GetRequiredService<ContainerClient>();
        List<ContainerEvent> published = await RecoverAsync(second, client.Events, cts.Token);
        ContainerTask task = await (await client.LoadContainerAsync(id)).LoadTaskAsync();
        bool oom = await task.WaitForOomAsync(cts.Token);
        ExitStatus status = await task.WaitAsync(cts.Token);

        // A third host recovering after it publishes neither again.
        ServiceProvider third = bed.NewProvider();
        List<ContainerEvent> again = await RecoverAsync(third, third.GetRequiredService<IEventBus>(), cts.Token);
        _ = await task.DeleteAsync();
        await (await client.LoadContainerAsync(id)).DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(published.OfType<TaskOom>().Select(e => e.ContainerId), Is.EqualTo(new[] { id }), "one TaskOom");
            Assert.That(published.OfType<TaskExit>().Select(e => (e.ContainerId, e.ExitCode)), Is.EqualTo(new[] { (id, 137) }), "one TaskExit 137");
            Assert.That(oom, Is.True, "WaitForOomAsync on the loaded task");
            Assert.That(status.ExitCode, Is.EqualTo(137));
            Assert.That(again.OfType<TaskOom>(), Is.Empty, "a later host does not publish the OOM again");
            Assert.That(again.OfType<TaskExit>(), Is.Empty, "nor the exit");
            Assert.That(bed.MountsUnder(), Is.Empty);
            Assert.That(bed.ShimsAfterExits(), Is.Empty);
        });
    }

    /// <summary>Starts the provider's recovery service and returns the events it published (those before a marker published after it).</summary>
    private static async Task<List<ContainerEvent>> RecoverAsync(ServiceProvider provider, IEventBus bus, CancellationToken cancellationToken)
    {
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using IAsyncEnumerator<EventEnvelope> events = bus.SubscribeAsync(null, stop.Token).GetAsyncEnumerator(stop.Token);
        ShimRecoveryService recovery = provider.GetServices<IHostedService>().OfType<ShimRecoveryService>().Single();
        await recovery.StartAsync(cancellationToken);
        string marker = "marker-" + Guid.NewGuid().ToString("N");
        await bus.PublishAsync(FacadeTestBed.Namespace, new NamespaceCreate(marker, new Dictionary<string, string>()), cancellationToken);
        List<ContainerEvent> published = [];
        while (await events.MoveNextAsync() && !(events.Current.Event is NamespaceCreate created && created.Name == marker))
        {
            published.Add(events.Current.Event);
        }

        await stop.CancelAsync();
        return published;
    }
}
