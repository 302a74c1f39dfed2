using System.Text;
using Containers.Client;
using Containers.Content;
using Containers.DependencyInjection;
using Containers.Events;
using Containers.Images;
using Containers.Leases;
using Containers.Lifecycle.Tests.Events;
using Containers.Metadata;
using Containers.Snapshots;
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
            o.SpareShimDelay = TimeSpan.FromMilliseconds(-1);
            o.ShimGroupIdleTimeout = TimeSpan.FromSeconds(-1);
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IContainerStore>());
        Assert.That(e!.Failures, Has.Some.StartsWith("Root:"));
        Assert.That(e.Failures, Has.Some.StartsWith("Namespace:"));
        Assert.That(e.Failures, Has.Some.StartsWith("EventSubscriberCapacity:"));
        Assert.That(e.Failures, Has.Some.StartsWith("WarmShims:"));
        Assert.That(e.Failures, Has.Some.StartsWith("WarmShimIdleTimeout:"));
        Assert.That(e.Failures, Has.Some.StartsWith("SpareShimDelay:"));
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

    [Test]
    public async Task AnApplicationsOwnStoresAndSnapshotterAreWrappedToPublishOnceEvenWhenAddedTwice()
    {
        using TempDirectory dir = new();
        // An instance (the application disposes it), a factory and the runtime's own image store.
        var mine = new NativeSnapshotter(dir.Combine("my-snapshots"));
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ISnapshotter>(mine);
        services.AddSingleton<IContentStore>(_ => new LocalContentStore(dir.Combine("my-content"), "tenant-1"));
        for (int i = 0; i < 2; i++)
        {
            services.AddContainerRuntime(o =>
            {
                o.Root = dir.Combine("root");
                o.State = dir.Combine("state");
                o.Namespace = "tenant-1";
                o.Snapshotter = "native";
                o.RuncsPath = "/bin/true";
            });
        }

        byte[] blob = "a blob of the application's store\n"u8.ToArray();
        await using (ServiceProvider provider = services.BuildServiceProvider(validateScopes: true))
        {
            ISnapshotter snapshotter = provider.GetRequiredService<ISnapshotter>();
            IContentStore content = provider.GetRequiredService<IContentStore>();
            await using EventRecorder recorder = new(provider.GetRequiredService<IEventBus>(), "topic~=^/(images|content|snapshot)/");

            await snapshotter.PrepareAsync("app-key", null);
            await snapshotter.RemoveAsync("app-key");
            await using (IContentWriter writer = await content.OpenWriterAsync(new ContentWriterOptions { Ref = "app-blob" }))
            {
                await writer.WriteAsync(blob);
                await writer.CommitAsync(blob.Length, Digest.Compute(blob));
            }

            IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();
            Assert.Multiple(() =>
            {
                Assert.That(snapshotter, Is.InstanceOf<PublishingSnapshotter>().With.Property(nameof(PublishingSnapshotter.Inner)).SameAs(mine));
                Assert.That(content, Is.InstanceOf<PublishingContentStore>().With.Property(nameof(PublishingContentStore.Inner)).InstanceOf<LocalContentStore>());
                Assert.That(((PublishingImageStore)provider.GetRequiredService<IImageStore>()).Inner, Is.InstanceOf<SqliteImageStore>(), "ours, wrapped once");
                Assert.That(provider.GetRequiredService<ContainerClient>().Snapshotter, Is.SameAs(snapshotter));
                Assert.That(events.Select(e => e.Event), Is.EqualTo(new ContainerEvent[]
                {
                    new SnapshotPrepare("app-key", null, "native"), new SnapshotRemove("app-key", "native"), new ContentCreate(Digest.Compute(blob), blob.Length),
                }), "each change once, with the configured snapshotter name");
            });
        }

        // The container did not dispose the instance the application registered.
        await mine.PrepareAsync("after-the-provider", null);
        await mine.DisposeAsync();
    }

    [Test]
    public async Task TheRuntimesOwnSnapshotterIsWrappedOnceWhenAddedTwice()
    {
        using TempDirectory dir = new();
        var services = new ServiceCollection();
        services.AddContainerRuntime(o => (o.Root, o.State, o.Snapshotter) = (dir.Combine("root"), dir.Combine("state"), "native"));
        services.AddContainerRuntime();
        await using ServiceProvider provider = services.BuildServiceProvider();
        Assert.That(((PublishingSnapshotter)provider.GetRequiredService<ISnapshotter>()).Inner, Is.InstanceOf<NativeSnapshotter>());
        Assert.That(((PublishingContentStore)provider.GetRequiredService<IContentStore>()).Inner, Is.InstanceOf<LocalContentStore>());
        Assert.That(provider.GetKeyedService<ISnapshotter>("containers-dotnet/unwrapped"), Is.Null, "ours is not moved aside (it would be disposed twice)");
    }

    [Test]
    public async Task ASnapshotterRegisteredAfterAddContainerRuntimeIsWrappedForTheRuntimesOwnServices()
    {
        using TempDirectory dir = new();
        await using var mine = new NativeSnapshotter(dir.Combine("my-snapshots"));
        var services = new ServiceCollection();
        services.AddContainerRuntime(o => (o.Root, o.State, o.Namespace, o.Snapshotter, o.RuncsPath) = (dir.Combine("root"), dir.Combine("state"), "tenant-1", "native", "/bin/true"));
        services.AddSingleton<ISnapshotter>(mine);
        await using ServiceProvider provider = services.BuildServiceProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        await using EventRecorder recorder = new(client.Events, "topic~=^/snapshot/");

        await client.Snapshotter.PrepareAsync("late-key", null);
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.That(client.Snapshotter, Is.InstanceOf<PublishingSnapshotter>().With.Property(nameof(PublishingSnapshotter.Inner)).SameAs(mine));
        Assert.That(events.Select(e => e.Event), Is.EqualTo(new ContainerEvent[] { new SnapshotPrepare("late-key", null, "native") }));
        Assert.That(provider.GetRequiredService<ISnapshotter>(), Is.SameAs(mine), "the application's own registration, resolved as it registered it");
    }
}
