using Containers.Client;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Lifecycle.Tests.Events;
using Containers.Snapshots;
using Containers.Tasks;
using Containers.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// <see cref="ContainerOptions.Snapshotter"/>: a container on another snapshotter than the runtime's default, as
/// <c>ctr run --snapshotter native</c> (real registry, overlayfs as the default, native chosen per container).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientSnapshotterChoiceTests : FacadeFixture
{
    [Test]
    public async Task AContainerOnTheNativeSnapshotterRunsFromItAndItsRecordKeepsTheName()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        string id = "native-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Snapshotter = "native", Args = ["sh", "-c", "echo hi > /made && cat /made && grep -c ' / ' /proc/self/mountinfo"] });
        ISnapshotter native = client.Snapshotters.Get("native");
        SnapshotInfo onNative = await native.StatAsync(container.Record.SnapshotKey!);
        bool onOverlay = await ExistsAsync(client.Snapshotter, container.Record.SnapshotKey!);
        using MemoryStream stdout = new();
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = stdout, Stderr = stdout });
        await task.StartAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        ExitStatus status = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync();

        // A second process over the same root finds the container's snapshotter from its record.
        ContainerClient second = Bed.NewProvider().GetRequiredService<ContainerClient>();
        Container loaded = await second.LoadContainerAsync(id);
        RunResult run = await second.RunAsync(image, ["sh", "-c", "echo again"], new RunOptions { Snapshotter = "native" });
        await loaded.DeleteAsync();
        bool goneFromNative = !await ExistsAsync(native, container.Record.SnapshotKey!);

        Assert.Multiple(() =>
        {
            Assert.That(container.Record.Snapshotter, Is.EqualTo("native"));
            Assert.That(loaded.Record.Snapshotter, Is.EqualTo("native"));
            Assert.That(onNative.Kind, Is.EqualTo(SnapshotKind.Active), "the rootfs is an active snapshot of native");
            Assert.That(onOverlay, Is.False, "and not of the default overlayfs");
            Assert.That(status.ExitCode, Is.Zero);
            Assert.That(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), Does.StartWith("hi\n"));
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That(run.Stdout, Is.EqualTo("again\n"));
            Assert.That(goneFromNative, Is.True, "the delete removed the snapshot from native");
            Assert.That(File.Exists(Path.Combine(Bed.Root, "snapshots", "native", "metadata.db")), Is.True);
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });
    }

    [Test]
    public async Task AnUnknownSnapshotterIsRefusedNamingTheFieldAndNothingIsMade()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        InvalidSpecException? refused = Assert.ThrowsAsync<InvalidSpecException>(async () =>
            await client.CreateContainerAsync("bad-snap", image, new ContainerOptions { Snapshotter = "zfs" }));
        List<Lease> leases = await provider.GetRequiredService<ILeaseManager>().ListAsync().ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(refused!.JsonPath, Is.EqualTo("snapshotter"));
            Assert.That(refused.Message, Does.Contain("zfs").And.Contain("overlayfs").And.Contain("native"));
            Assert.That(Assert.ThrowsAsync<NotFoundException>(async () => await client.LoadContainerAsync("bad-snap")), Is.Not.Null, "no record");
            Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "no snapshot");
            Assert.That(Directory.Exists(Path.Combine(Bed.Root, "snapshots", "native")), Is.False, "the other snapshotter was not even opened");
            Assert.That(leases, Is.Empty, "no lease");
        });
    }

    [Test]
    public async Task TheCollectorSweepsEverySnapshotterAndKeepsWhatAContainerOnEachHolds()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        Container onNative = await client.CreateContainerAsync("keep-native", image, new ContainerOptions { Snapshotter = "native" });
        Container onOverlay = await client.CreateContainerAsync("keep-overlay", image);
        ISnapshotter native = client.Snapshotters.Get("native");
        List<SnapshotInfo> nativeChain = await native.WalkAsync(["kind==committed"]).ToListAsync();

        // The containers hold their snapshots (and so their chains) in both snapshotters, with the image gone.
        await client.DeleteImageAsync(image.Name);
        GarbageCollectionResult held = await provider.GetRequiredService<GarbageCollector>().CollectAsync();
        bool nativeKept = await ExistsAsync(native, onNative.Record.SnapshotKey!);
        await onNative.DeleteAsync();
        await onOverlay.DeleteAsync();

        // A new process: native is opened at start because it holds snapshots, so its chain is swept too.
        ServiceProvider restarted = Bed.NewProvider();
        GarbageCollectionResult swept = await restarted.GetRequiredService<GarbageCollector>().CollectAsync();
        ContainerClient after = restarted.GetRequiredService<ContainerClient>();
        Assert.Multiple(() =>
        {
            Assert.That(nativeChain, Has.Count.EqualTo(1), "the image was unpacked into native for the container");
            Assert.That(held.RemovedSnapshots, Is.Empty, "nothing a container holds goes");
            Assert.That(nativeKept, Is.True);
            Assert.That(swept.RemovedSnapshots, Has.Count.EqualTo(2), "the one layer's chain in overlayfs and in native");
            Assert.That(after.Snapshotters.Get("native").WalkAsync().ToBlockingEnumerable(), Is.Empty);
            Assert.That(after.Snapshotter.WalkAsync().ToBlockingEnumerable(), Is.Empty);
            Assert.That(swept.Errors, Is.Empty);
        });
    }

    [Test]
    public async Task SnapshotEventsOfAnotherSnapshotterCarryItsName()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        await using EventRecorder recorder = new(client.Events, "topic~=^/snapshot/");
        RunResult run = await client.RunAsync(image, ["true"], new RunOptions { Snapshotter = "native" });
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();
        string[] seen = [.. events.Select(e => e.Event switch
        {
            SnapshotPrepare p => "prepare " + p.Snapshotter,
            SnapshotCommit c => "commit " + c.Snapshotter,
            SnapshotRemove r => "remove " + r.Snapshotter,
            _ => "other " + e.Topic,
        })];
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That(seen, Is.EqualTo(new[] { "prepare native", "commit native", "prepare native", "remove native" }),
                "unpack into native (prepare, commit), then the container's prepare and remove, all named native");
        });
    }

    [Test]
    public async Task AnApplicationsOwnSnapshotterIsNamedInTheOptionsAndContainersRunOnItAndTheCollectorSweepsIt()
    {
        string mine = Path.Combine(Bed.Root, "mine-snapshots");
        void Configure(ContainerRuntimeOptions o) => o.Snapshotters["mine"] = _ => new NativeSnapshotter(mine);
        ServiceProvider provider = Bed.NewProvider(Configure);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        await using EventRecorder recorder = new(client.Events, "topic~=^/snapshot/");
        RunResult run = await client.RunAsync(image, ["sh", "-c", "echo on-mine"], new RunOptions { Snapshotter = "mine" });
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();
        List<SnapshotInfo> chain = await client.Snapshotters.Get("mine").WalkAsync().ToListAsync();

        // A new process over the same root opens the application's snapshotter at start: the collector sweeps it.
        await client.DeleteImageAsync(image.Name);
        ServiceProvider restarted = Bed.NewProvider(Configure);
        GarbageCollectionResult swept = await restarted.GetRequiredService<GarbageCollector>().CollectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(client.Snapshotters.Names, Is.EqualTo(new[] { "overlayfs", "mine", "native" }));
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That(run.Stdout, Is.EqualTo("on-mine\n"));
            Assert.That(events.Select(e => e.Event).OfType<SnapshotPrepare>().Select(e => e.Snapshotter), Is.All.EqualTo("mine"));
            Assert.That(chain.Select(c => c.Kind), Is.EqualTo(new[] { SnapshotKind.Committed }), "the image unpacked into it, the container's snapshot gone");
            Assert.That(Directory.Exists(Path.Combine(mine, "snapshots")), Is.True, "the snapshots live where the application's snapshotter keeps them");
            Assert.That(swept.RemovedSnapshots, Has.Count.EqualTo(2), "the layer in overlayfs and in mine");
            Assert.That(swept.Errors, Is.Empty);
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });
    }

    [Test]
    public async Task AnApplicationsOwnSnapshotterCanBeTheDefaultAndABadNameFailsValidation()
    {
        ServiceProvider provider = Bed.NewProvider(o =>
        {
            o.Snapshotters["mine"] = _ => new NativeSnapshotter(Path.Combine(Bed.Root, "mine-snapshots"));
            o.Snapshotter = "mine";
        });
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        RunResult run = await client.RunAsync(image, ["true"]);
        List<SnapshotInfo> chain = await client.Snapshotter.WalkAsync().ToListAsync();
        ServiceProvider bad = Bed.NewProvider(o => o.Snapshotters["no/slash"] = _ => new NativeSnapshotter(Path.Combine(Bed.Root, "x")));
        OptionsValidationException? invalid = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<ContainerClient>());
        Assert.Multiple(() =>
        {
            Assert.That(client.SnapshotterName, Is.EqualTo("mine"));
            Assert.That(run.ExitCode, Is.Zero);
            Assert.That(chain, Has.Count.EqualTo(1), "the pull unpacked into the default, the application's");
            Assert.That(Directory.Exists(Path.Combine(Bed.Root, "snapshots", "overlayfs")), Is.False, "overlayfs was never opened");
            Assert.That(invalid!.Message, Does.Contain("Snapshotters[no/slash]"));
            Assert.That(Directory.Exists(Path.Combine(Bed.Root, "x")), Is.False, "nothing was made");
        });
    }

    private static async Task<bool> ExistsAsync(ISnapshotter snapshotter, string key)
    {
        try
        {
            _ = await snapshotter.StatAsync(key);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }
}
