using System.Text;
using Containers.DependencyInjection;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Metadata;
using Containers.Oci.Image;
using Containers.Snapshots;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>
/// <see cref="GarbageCollectionScheduler"/> over the real stores: deletions and mutations told by the
/// metadata database start collections (containerd's scheduler rules), requests wait for a result.
/// </summary>
public sealed class GarbageCollectionSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [SetUp]
    public void RequireRoot() => GcTestStack.RequireRootAndOverlay();

    [Test]
    public async Task A_deletion_starts_a_collection_that_removes_what_only_the_deleted_lease_held()
    {
        await using var stack = new GcTestStack();
        Digest referenced = await GcTestStack.AddBlobAsync(stack.Content);
        await stack.Images("default").CreateAsync(new Image("example.com/app:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, referenced)));
        Digest leased = await GcTestStack.AddBlobAsync(stack.Content);
        SqliteLeaseManager leases = stack.Leases("default");
        await leases.CreateAsync("pull");
        await leases.AddResourceAsync("pull", LeaseResource.ForContent(leased));

        using var scheduler = new GarbageCollectionScheduler(stack.Collector, stack.Database,
            new GarbageCollectionSchedulerOptions { StartupDelay = TimeSpan.Zero, DeletionThreshold = 1 });
        var first = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Collected += (_, result) => first.TrySetResult(result);
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            // Changes that delete nothing stay under the mutation threshold: no collection for them.
            await leases.CreateAsync("unrelated");
            Assert.That(scheduler.Collections, Is.Zero);

            await leases.DeleteAsync("pull");
            GarbageCollectionResult result = await first.Task.WaitAsync(Patience);

            await Assert.MultipleAsync(async () =>
            {
                Assert.That(result.RemovedContent, Is.EqualTo(new[] { leased }), "the first collection came after the delete");
                Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { referenced.ToString() }), "the image's blob stays");
            });
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_request_is_answered_only_after_the_collected_handlers_ran()
    {
        await using var stack = new GcTestStack();
        using var scheduler = new GarbageCollectionScheduler(stack.Collector, stack.Database,
            new GarbageCollectionSchedulerOptions { StartupDelay = TimeSpan.Zero, PauseThreshold = 0.0001 });
        GarbageCollectionResult? seen = null;
        scheduler.Collected += (_, result) =>
        {
            // A slow handler: were the waiter answered first, the request below would return before it ends.
            Thread.Sleep(200);
            Volatile.Write(ref seen, result);
        };
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            GarbageCollectionResult answered = await scheduler.ScheduleAndWaitAsync().WaitAsync(Patience);
            Assert.That(Volatile.Read(ref seen), Is.SameAs(answered),
                "a caller that subscribes after its request returned must not then be told of that collection");
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task Enough_mutations_start_a_collection_and_requests_wait_for_one()
    {
        await using var stack = new GcTestStack();
        Digest garbage = await GcTestStack.AddBlobAsync(stack.Content);
        using var scheduler = new GarbageCollectionScheduler(stack.Collector, stack.Database,
            new GarbageCollectionSchedulerOptions { StartupDelay = TimeSpan.Zero, MutationThreshold = 3 });
        var first = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Collected += (_, result) => first.TrySetResult(result);
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            SqliteContainerStore containers = stack.Containers("default");
            for (int i = 0; i < 3; i++)
            {
                await containers.CreateAsync(new ContainerRecord("c" + i, new RuntimeInfo("runcs")) { Spec = Encoding.UTF8.GetBytes("{}") });
            }

            GarbageCollectionResult result = await first.Task.WaitAsync(Patience);
            Assert.That(result.RemovedContent, Is.EqualTo(new[] { garbage }));

            // Requests made together are served by collections that run one after another, each with a result.
            Digest later = await GcTestStack.AddBlobAsync(stack.Content);
            GarbageCollectionResult[] requested = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => scheduler.ScheduleAndWaitAsync())).WaitAsync(Patience);
            Assert.That(requested.SelectMany(r => r.RemovedContent).Distinct(), Is.EqualTo(new[] { later }));
            Assert.That(await stack.BlobsAsync(), Is.Empty);
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task A_failing_collection_is_logged_and_the_scheduler_goes_on()
    {
        await using var stack = new GcTestStack();
        using var scheduler = new GarbageCollectionScheduler(stack.Collector, stack.Database, new GarbageCollectionSchedulerOptions { StartupDelay = TimeSpan.Zero });
        await scheduler.StartAsync(CancellationToken.None);
        try
        {
            // A directory where the metadata database should be: the collection cannot open it and fails.
            string database = stack.Database.Path;
            string moved = database + ".away";
            File.Move(database, moved);
            Directory.CreateDirectory(database);
            Assert.That(async () => await scheduler.ScheduleAndWaitAsync().WaitAsync(Patience), Throws.InstanceOf<InvalidOperationException>());
            Directory.Delete(database);
            File.Move(moved, database);

            Digest garbage = await GcTestStack.AddBlobAsync(stack.Content);
            GarbageCollectionResult result = await scheduler.ScheduleAndWaitAsync().WaitAsync(Patience);
            Assert.That(result.RemovedContent, Is.EqualTo(new[] { garbage }), "the next request is served");
        }
        finally
        {
            await scheduler.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public async Task AddContainerRuntime_runs_the_scheduler_as_a_hosted_service_with_validated_options()
    {
        using TempDirectory dir = new();
        var services = new ServiceCollection().AddLogging();
        services.AddContainerRuntime(o =>
        {
            o.Root = dir.Combine("root");
            o.State = dir.Combine("state");
            o.RuncsPath = "/bin/true"; // resolved with the hosted services; no shim is started here
            o.Gc.DeletionThreshold = 1;
            o.Gc.StartupDelay = TimeSpan.Zero;
        });
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            GarbageCollectionScheduler scheduler = provider.GetRequiredService<GarbageCollectionScheduler>();
            Assert.That(provider.GetServices<IHostedService>(), Has.Member(scheduler));
            var collected = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            scheduler.Collected += (_, result) => collected.TrySetResult(result);
            await scheduler.StartAsync(CancellationToken.None);
            ILeaseManager leases = provider.GetRequiredService<ILeaseManager>();
            await leases.CreateAsync("l1");
            await leases.DeleteAsync("l1");
            GarbageCollectionResult result = await collected.Task.WaitAsync(Patience);
            Assert.That(result.Errors, Is.Empty);
            await scheduler.StopAsync(CancellationToken.None);
        }

        var bad = new ServiceCollection();
        bad.AddContainerRuntime(o =>
        {
            o.Root = dir.Combine("root");
            o.State = dir.Combine("state");
            o.Gc.PauseThreshold = 0.7;
            o.Gc.MutationThreshold = -1;
        });
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<GarbageCollectionScheduler>());
        Assert.That(e!.Failures, Has.Some.StartsWith("Gc.PauseThreshold:"));
        Assert.That(e.Failures, Has.Some.StartsWith("Gc.MutationThreshold:"));
    }
}
