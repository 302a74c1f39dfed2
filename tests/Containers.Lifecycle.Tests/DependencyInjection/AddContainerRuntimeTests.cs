using System.Text;
using Containers.DependencyInjection;
using Containers.Events;
using Containers.Leases;
using Containers.Metadata;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containers.Lifecycle.Tests.DependencyInjection;

public sealed class AddContainerRuntimeTests
{
    [Test]
    public async Task RegisteredServicesShareOneDatabaseAndBus()
    {
        using TempDirectory dir = new();
        var services = new ServiceCollection().AddLogging();
        services.AddContainerRuntime(o =>
        {
            o.Root = dir.Combine("root");
            o.State = dir.Combine("state");
            o.Namespace = "tenant-1";
        });
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        var store = provider.GetRequiredService<IContainerStore>();
        var bus = provider.GetRequiredService<IEventBus>();
        var leases = provider.GetRequiredService<ILeaseManager>();
        using var cts = new CancellationTokenSource();
        await using var events = bus.SubscribeAsync(EventFilter.Parse("namespace==tenant-1"), cts.Token).GetAsyncEnumerator();

        await store.CreateAsync(new ContainerRecord("c1", new RuntimeInfo("runcs")) { Spec = Encoding.UTF8.GetBytes("{}") });
        await leases.CreateAsync("l1");

        Assert.That(await events.MoveNextAsync(), Is.True);
        Assert.That(events.Current.Event, Is.EqualTo(new ContainerCreate("c1", null, new RuntimeInfo("runcs"))));
        Assert.That(File.Exists(dir.Combine("root", "metadata.db")), Is.True);
        Assert.That(File.GetUnixFileMode(dir.Combine("root")) & (UnixFileMode)0b111_111, Is.EqualTo((UnixFileMode)0), "root is 0700");
        var other = new SqliteContainerStore(provider.GetRequiredService<MetadataDatabase>(), "tenant-2");
        Assert.ThrowsAsync<NotFoundException>(async () => await other.GetAsync("c1"));
    }

    [Test]
    public void InvalidOptionsFailWithEveryBadField()
    {
        var services = new ServiceCollection();
        services.AddContainerRuntime(o =>
        {
            o.Root = "relative";
            o.Namespace = "bad ns";
            o.EventSubscriberCapacity = 0;
            o.WarmShims = -1;
            o.WarmShimIdleTimeout = TimeSpan.Zero;
            o.ShimGroupIdleTimeout = TimeSpan.FromSeconds(-1);
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IContainerStore>());
        Assert.That(e!.Failures, Has.Some.StartsWith("Root:"));
        Assert.That(e.Failures, Has.Some.StartsWith("Namespace:"));
        Assert.That(e.Failures, Has.Some.StartsWith("EventSubscriberCapacity:"));
        Assert.That(e.Failures, Has.Some.StartsWith("WarmShims:"));
        Assert.That(e.Failures, Has.Some.StartsWith("WarmShimIdleTimeout:"));
        Assert.That(e.Failures, Has.Some.StartsWith("ShimGroupIdleTimeout:"));
    }

    [Test]
    public void ApplicationRegistrationsWin()
    {
        var mine = new InProcessEventBus();
        var services = new ServiceCollection();
        services.AddSingleton<IEventBus>(mine);
        services.AddContainerRuntime();
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IEventBus>(), Is.SameAs(mine));
    }
}
