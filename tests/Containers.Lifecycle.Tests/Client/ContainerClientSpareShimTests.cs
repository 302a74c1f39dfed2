using System.IO.Pipes;
using System.Text;
using Containers.Client;
using Containers.Images;
using Containers.Linux.Supervision;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// <see cref="global::Containers.DependencyInjection.ContainerRuntimeOptions.SpareShim"/> (on by default): a shim started
/// ahead for the next run, which that run takes and which exits with it, with a real <c>runcs shim</c> (root).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientSpareShimTests : FacadeFixture
{
    [Test]
    public async Task TheNextRunTakesTheSpareStartedAheadWhichExitsWithItsTaskAndAnotherIsStarted()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string spare = await SpareAsync(provider);
        int sparePid = await SparePidAsync(spare);
        string[] spareTasksBefore = Directory.GetFileSystemEntries(ShimPaths.Tasks(spare));

        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> second = client.RunAsync(image, ["sh", "-c", "read x; echo got-$x"], new RunOptions { Id = "second", Stdin = reader });
        int parent = ShimProbe.ParentOf(await ShimProbe.RunningPidAsync(client, "second", second));
        // The next spare starts once the delay has passed with no other take, while the second run still waits for input.
        string nextSpare = await SpareAsync(provider, other: spare);
        input.Write(Encoding.ASCII.GetBytes("s\n"));
        input.Dispose();
        RunResult two = await second;
        bool spareGone = await Tasks.ShimTestBed.EventuallyAsync(() => !ShimProbe.IsAlive(sparePid) && !Directory.Exists(spare));

        Assert.Multiple(() =>
        {
            Assert.That(Path.GetFileName(spare), Does.StartWith("p"));
            Assert.That(spareTasksBefore, Is.Empty, "the spare served no task before");
            Assert.That(parent, Is.EqualTo(sparePid), "the second run's init is a child of the spare shim");
            Assert.That(two.Stdout, Is.EqualTo("got-s\n"));
            Assert.That(spareGone, Is.True, "the spare exited with its task and removed its directory");
            Assert.That(nextSpare, Is.Not.EqualTo(spare), "taking the spare started the next one");
            Assert.That(FacadeTestBed.SpareOf(provider), Is.EqualTo(nextSpare));
            Assert.That(Bed.AllShims(), Is.EqualTo(new[] { nextSpare }), "only the new spare is left, without task or link");
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });

        int nextPid = await SparePidAsync(nextSpare);
        await provider.DisposeAsync();
        Assert.That(await Tasks.ShimTestBed.EventuallyAsync(() => !ShimProbe.IsAlive(nextPid) && Bed.AllShims().Count == 0), Is.True,
            "disposing the service shut the spare down");
    }

    [Test]
    public async Task TheSparesContainerGetsTheNetworkAndIpcNamespacesTheSpareMadeAhead()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.SpareShimDelay = TimeSpan.Zero);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string spare = await SpareAsync(provider);
        int sparePid = await SparePidAsync(spare);
        string[] held = [];
        Assert.That(await Tasks.ShimTestBed.EventuallyAsync(() => (held = ShimProbe.NamespacesHeldBy(sparePid)).Length == 2), Is.True,
            "the spare holds a network and an IPC namespace once warmed up");

        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> run = client.RunAsync(image, ["sh", "-c", "read x; cat /proc/net/dev"], new RunOptions { Id = "joins", Stdin = reader });
        int init = await ShimProbe.RunningPidAsync(client, "joins", run);
        int parent = ShimProbe.ParentOf(init);
        string net = ShimProbe.LinkOf($"/proc/{init}/ns/net");
        string ipc = ShimProbe.LinkOf($"/proc/{init}/ns/ipc");
        string[] heldAfter = ShimProbe.NamespacesHeldBy(sparePid);
        input.Write(Encoding.ASCII.GetBytes("go\n"));
        input.Dispose();
        RunResult result = await run;
        string[] interfaces = [.. result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split(':')[0].Trim())];

        Assert.Multiple(() =>
        {
            Assert.That(parent, Is.EqualTo(sparePid), "the run took the spare");
            Assert.That(held, Is.EquivalentTo(new[] { net, ipc }), "the container is in the namespaces the spare made ahead");
            Assert.That(net, Is.Not.EqualTo(ShimProbe.LinkOf("/proc/self/ns/net")));
            Assert.That(ipc, Is.Not.EqualTo(ShimProbe.LinkOf("/proc/self/ns/ipc")));
            Assert.That(heldAfter, Is.Empty, "the spare gave them to its container and keeps no other reference");
            Assert.That(result.ExitCode, Is.Zero);
            Assert.That(interfaces, Is.EqualTo(new[] { "lo" }), "a network namespace nothing else has entered: loopback only");
        });
    }

    [Test]
    public async Task TheSpareOutlivesItsIdleTimeWhileTheHostLivesAndOneThatWasKilledIsReplaced()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.WarmShimIdleTimeout = TimeSpan.FromMilliseconds(900));
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string spare = await SpareAsync(provider);
        int sparePid = await SparePidAsync(spare);

        // Three idle times: the service's calls keep it.
        await Task.Delay(2700);
        bool kept = ShimProbe.IsAlive(sparePid) && FacadeTestBed.SpareOf(provider) == spare;

        System.Diagnostics.Process.GetProcessById(sparePid).Kill();
        bool replaced = await Tasks.ShimTestBed.EventuallyAsync(() => FacadeTestBed.SpareOf(provider) is { } next && next != spare && !Directory.Exists(spare));
        RunResult after = await client.RunAsync(image, ["sh", "-c", "echo after"]);

        Assert.Multiple(() =>
        {
            Assert.That(kept, Is.True, "the spare is still there after three of its idle times");
            Assert.That(replaced, Is.True, "a killed spare is replaced and its directory removed");
            Assert.That(after.Stdout, Is.EqualTo("after\n"));
            Assert.That(Bed.ShimsAfterExits(), Is.Empty, "nothing but the spare");
        });
    }

    [Test]
    public async Task WithNoDelayTheNextSpareStartsWhenTheSpareIsTaken()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.SpareShimDelay = TimeSpan.Zero);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        Assert.That(FacadeTestBed.SpareOf(provider), Is.Not.Null, "the first run found none and started it at once");
    }

    [Test]
    public async Task TheNextSpareWaitsForTheDelay()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.SpareShimDelay = TimeSpan.FromHours(1));
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string? spare = FacadeTestBed.SpareOf(provider);
        // A shim of its own removes its directory just after its last delete's answer.
        bool noneLeft = await Tasks.ShimTestBed.EventuallyAsync(() => Bed.AllShims().Count == 0);
        Assert.Multiple(() =>
        {
            Assert.That(spare, Is.Null, "no spare before the delay has passed");
            Assert.That(noneLeft, Is.True, "each run's shim (started at the run's beginning) exited with it");
        });
    }

    [Test]
    public async Task WithNoSpareAheadARunStartsOneAtItsBeginningAndTakesIt()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.SpareShimDelay = TimeSpan.FromHours(1));
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string? ahead = FacadeTestBed.SpareOf(provider);

        // As in a burst: the delay after the last take has not passed, so no spare waits for this run.
        using AnonymousPipeServerStream input = new(PipeDirection.Out);
        using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
        Task<RunResult> run = client.RunAsync(image, ["sh", "-c", "read x"], new RunOptions { Id = "burst", Stdin = reader });
        int shim = ShimProbe.ParentOf(await ShimProbe.RunningPidAsync(client, "burst", run));
        string[] argv = File.ReadAllText($"/proc/{shim}/cmdline").Split('\0');
        input.Write(Encoding.ASCII.GetBytes("x\n"));
        input.Dispose();
        RunResult result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(ahead, Is.Null, "no spare ahead of the second run");
            Assert.That(Path.GetFileName(argv[Array.IndexOf(argv, "--dir") + 1]), Does.StartWith("p"), "the run's shim is a spare (started at the run's beginning), not a shim started by its create");
            Assert.That(argv, Does.Not.Contain("--warm-up"), "a spare the run waits for prepares nothing beyond what its create does");
            Assert.That(result.ExitCode, Is.Zero);
            Assert.That(FacadeTestBed.SpareOf(provider), Is.Null, "taken: the next spare waits for the delay again");
        });
    }

    [Test]
    public async Task WithoutTheOptionEachRunStartsItsShimAndNoneIsLeft()
    {
        ServiceProvider provider = Bed.NewProvider(o => o.SpareShim = false);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        Assert.Multiple(() =>
        {
            Assert.That(FacadeTestBed.SpareOf(provider), Is.Null);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
            Assert.That(Bed.AllShims(), Is.Empty);
        });
    }

    /// <summary>The spare's directory once its start has begun (<see cref="global::Containers.DependencyInjection.ContainerRuntimeOptions.SpareShimDelay"/> after a take), other than <paramref name="other"/>.</summary>
    private static async Task<string> SpareAsync(ServiceProvider provider, string? other = null)
    {
        string? spare = null;
        Assert.That(await Tasks.ShimTestBed.EventuallyAsync(() => (spare = FacadeTestBed.SpareOf(provider)) is not null && spare != other), Is.True, "a spare is started");
        return spare!;
    }

    /// <summary>The spare's pid once it serves (it starts in the background; its pid file is written before it serves).</summary>
    private static async Task<int> SparePidAsync(string spare)
    {
        int pid = 0;
        Assert.That(await Tasks.ShimTestBed.EventuallyAsync(() => File.Exists(ShimPaths.Socket(spare))
            && int.TryParse(File.Exists(ShimPaths.PidFile(spare)) ? File.ReadAllText(ShimPaths.PidFile(spare)) : "", out pid)), Is.True, "the spare serves");
        return pid;
    }
}
