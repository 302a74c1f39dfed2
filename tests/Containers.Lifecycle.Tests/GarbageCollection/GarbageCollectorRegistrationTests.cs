using Containers.Content;
using Containers.DependencyInjection;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Snapshots;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary><c>AddContainerRuntime</c> registers the collector over the stores it registers.</summary>
public sealed class GarbageCollectorRegistrationTests
{
    [Test]
    public async Task AddContainerRuntime_registers_a_collector_over_the_registered_stores()
    {
        using TempDirectory dir = new();
        var services = new ServiceCollection().AddLogging();
        services.AddContainerRuntime(o =>
        {
            o.Root = dir.Combine("root");
            o.State = dir.Combine("state");
            o.Snapshotter = "native";
        });
        await using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        var collector = provider.GetRequiredService<GarbageCollector>();
        var content = provider.GetRequiredService<LocalContentStore>();
        var snapshotter = provider.GetRequiredService<ISnapshotter>();
        var leases = provider.GetRequiredService<ILeaseManager>();
        Assert.That(provider.GetRequiredService<IImageStore>(), Is.InstanceOf<PublishingImageStore>().With.Property(nameof(PublishingImageStore.Inner)).InstanceOf<SqliteImageStore>());
        Assert.That(provider.GetRequiredService<IContentStore>(), Is.InstanceOf<PublishingContentStore>().With.Property(nameof(PublishingContentStore.Inner)).SameAs(content));
        Assert.That(content.LabelDatabasePath, Is.EqualTo(dir.Combine("root", "metadata.db")), "one metadata database");
        Assert.That(snapshotter, Is.InstanceOf<PublishingSnapshotter>().With.Property(nameof(PublishingSnapshotter.Inner)).InstanceOf<NativeSnapshotter>());

        Digest kept = await GcTestStack.AddBlobAsync(content);
        Digest dropped = await GcTestStack.AddBlobAsync(content);
        await snapshotter.PrepareAsync("scratch", null);
        await snapshotter.PrepareAsync("leased", null);
        await leases.CreateAsync("l");
        await leases.AddResourceAsync("l", LeaseResource.ForContent(kept));
        await leases.AddResourceAsync("l", LeaseResource.ForSnapshot("native", "leased"));

        GarbageCollectionResult result = await collector.CollectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.RemovedContent, Is.EqualTo(new[] { dropped }));
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { "native/scratch" }));
            Assert.That(result.Errors, Is.Empty);
        });

        // containerd's synchronous lease delete: the collection has run when the call returns.
        await leases.DeleteAsync("l", synchronous: true);
        Assert.That(File.Exists(content.GetBlobPath(kept)), Is.False);
        Assert.That(await snapshotter.WalkAsync().CountAsync(), Is.Zero);
    }

    [Test]
    public void An_unknown_snapshotter_is_refused_by_name_when_resolved()
    {
        using TempDirectory dir = new();
        var services = new ServiceCollection();
        services.AddContainerRuntime(o =>
        {
            o.Root = dir.Combine("root");
            o.State = dir.Combine("state");
            o.Snapshotter = "zfs";
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var e = Assert.Throws<UnsupportedException>(() => provider.GetRequiredService<GarbageCollector>());
        Assert.That(e!.Message, Does.Contain("\"zfs\""));
    }
}
