using System.IO.Pipes;
using System.Text;
using Containers.Client;
using Containers.Images;
using Containers.Leases;
using Containers.Linux.Supervision;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// <see cref="global::Containers.DependencyInjection.ContainerRuntimeOptions.WarmShims"/> and <see cref="global::Containers.DependencyInjection.ContainerRuntimeOptions.ShimGroupIdleTimeout"/>:
/// shims that outlive their task for the next one, with a real <c>runcs shim</c> (root).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientWarmShimTests : FacadeFixture
{
    [Test]
    public async Task AWarmShimTakesTheNextRunAndDisposingTheServiceShutsItDown()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.WarmShims = 1);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        RunResult first = await client.RunAsync(image, ["sh", "-c", "echo one; exit 3"]);
        string warm = Bed.Shims().Single();
        int shimPid = ShimPid(warm);
        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> second = client.RunAsync(image, ["sh", "-c", "read x; echo got-$x >&2"], new RunOptions { Id = "second", Stdin = reader });
        int secondPid = await ShimProbe.RunningPidAsync(client, "second", second);
        int parent = ShimProbe.ParentOf(secondPid);
        input.Write(Encoding.ASCII.GetBytes("b\n"));
        input.Dispose();
        RunResult two = await second;

        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(warm), Does.StartWith("p"), "a warm shim's own directory");
            Assert.That(first.ExitCode, Is.EqualTo(3));
            Assert.That(first.Stdout, Is.EqualTo("one\n"));
            Assert.That(parent, Is.EqualTo(shimPid), "the second run's init is a child of the first run's (warm) shim");
            Assert.That(two.ExitCode, Is.Zero);
            Assert.That(two.Stderr, Is.EqualTo("got-b\n"));
            Assert.That(Bed.Shims(), Is.EqualTo(new[] { warm }), "only the idle warm shim is left, without tasks or links");
            Assert.That(Directory.GetFileSystemEntries(ShimPaths.Tasks(warm)), Is.Empty);
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty);
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });

        await provider.DisposeAsync();
        await WaitGoneAsync(shimPid, warm);
        Assert.That(Bed.ShimsAfterExits(), Is.Empty, "disposing the service shut the idle warm shim down");
    }

    [Test]
    public async Task AnIdleWarmShimExitsAfterItsTimeoutAndTheNextRunStartsAnother()
    {
        ServiceProvider provider = Bed.NewProvider(o =>
        {
            o.WarmShims = 1;
            o.WarmShimIdleTimeout = TimeSpan.FromMilliseconds(1500);
        });
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string warm = Bed.Shims().Single();
        int shimPid = ShimPid(warm);
        await WaitGoneAsync(shimPid, warm);
        RunResult again = await client.RunAsync(image, ["sh", "-c", "echo again"]);

        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(warm), Is.False, "the idle shim removed its directory as it exited");
            Assert.That(again.ExitCode, Is.Zero);
            Assert.That(again.Stdout, Is.EqualTo("again\n"));
            Assert.That(Bed.Shims(), Has.Count.EqualTo(1).And.None.EqualTo(warm), "a new warm shim took the run");
        });
    }

    [Test]
    public async Task AWarmShimMakesItsNextContainersNetworkAndIpcNamespacesAfterADelete()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.WarmShims = 1);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string warm = Bed.Shims().Single();
        int shimPid = ShimPid(warm);
        string[] held = [];
        Assert.That(await Tasks.ShimTestBed.EventuallyAsync(() => (held = ShimProbe.NamespacesHeldBy(shimPid)).Length == 2), Is.True,
            "after its first task's delete the warm shim holds a network and an IPC namespace");
        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> second = client.RunAsync(image, ["sh", "-c", "read x"], new RunOptions { Id = "second", Stdin = reader });
        int init = await ShimProbe.RunningPidAsync(client, "second", second);
        int parent = ShimProbe.ParentOf(init);
        string[] inContainer = [ShimProbe.LinkOf($"/proc/{init}/ns/net"), ShimProbe.LinkOf($"/proc/{init}/ns/ipc")];
        string[] whileRunning = ShimProbe.NamespacesHeldBy(shimPid);
        input.Write(Encoding.ASCII.GetBytes("x\n"));
        input.Dispose();
        Assert.That((await second).ExitCode, Is.Zero);
        string[] next = [];
        bool refilled = await Tasks.ShimTestBed.EventuallyAsync(() => (next = ShimProbe.NamespacesHeldBy(shimPid)).Length == 2);

        Assert.Multiple(() =>
        {
            Assert.That(parent, Is.EqualTo(shimPid), "the second run took the warm shim");
            Assert.That(inContainer, Is.EquivalentTo(held), "its container is in the namespaces the shim made after the first delete");
            Assert.That(whileRunning, Is.Empty, "handed over, not kept");
            Assert.That(refilled, Is.True, "the second delete made the next pair");
            Assert.That(next, Has.None.AnyOf(held), "a new pair, not the one handed over");
        });
    }

    [Test]
    public async Task CancellingARunInAWarmShimLeavesOnlyTheIdleShim()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.WarmShims = 1);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        await CancelledRun.RunAsync(client, image, "cancelled");

        string warm = Bed.Shims().Single();
        List<Lease> leases = await provider.GetRequiredService<ILeaseManager>().ListAsync().ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(warm), Does.StartWith("p"));
            Assert.That(Directory.GetFileSystemEntries(ShimPaths.Tasks(warm)), Is.Empty, "the idle shim holds no task");
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty, "no container record");
            Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "no active snapshot");
            Assert.That(Bed.MountsUnder(), Is.Empty, "nothing mounted");
            Assert.That(leases, Is.Empty, "no lease left");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty, "no bundle");
        });
    }

    [Test]
    public async Task AShimGroupWithAnIdleTimeoutServesTheNextRunThenExits()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.ShimGroupIdleTimeout = TimeSpan.FromSeconds(2));
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        RunResult first = await client.RunAsync(image, ["sh", "-c", "exit 6"], new RunOptions { ShimGroup = "linger" });
        string group = Bed.Shims().Single();
        int shimPid = ShimPid(group);
        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> second = client.RunAsync(image, ["sh", "-c", "read x; echo got-$x"], new RunOptions { Id = "second", ShimGroup = "linger", Stdin = reader });
        int parent = ShimProbe.ParentOf(await ShimProbe.RunningPidAsync(client, "second", second));
        input.Write(Encoding.ASCII.GetBytes("c\n"));
        input.Dispose();
        RunResult two = await second;

        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(group), Does.StartWith("g"));
            Assert.That(first.ExitCode, Is.EqualTo(6));
            Assert.That(parent, Is.EqualTo(shimPid), "the group's shim outlived its last task and took the next run");
            Assert.That(two.Stdout, Is.EqualTo("got-c\n"));
        });

        await WaitGoneAsync(shimPid, group);
        Assert.Multiple(() =>
        {
            Assert.That(Bed.ShimsAfterExits(), Is.Empty, "the idle group shim exited and removed its directory");
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });
    }

    private static int ShimPid(string directory) => int.Parse(File.ReadAllText(ShimPaths.PidFile(directory)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits (bounded) until the shim process has exited and its directory is gone.</summary>
    private static async Task WaitGoneAsync(int pid, string directory)
    {
        for (int i = 0; i < 600 && (ShimProbe.IsAlive(pid) || Directory.Exists(directory)); i++)
        {
            await Task.Delay(50);
        }

        Assert.That(ShimProbe.IsAlive(pid) || Directory.Exists(directory), Is.False, $"shim {pid} in {directory} is still there after 30 s");
    }
}
