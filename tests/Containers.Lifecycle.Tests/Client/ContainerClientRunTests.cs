using System.Text;
using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>The facade end to end: a real registry, overlayfs, runcs shims, real containers (root).</summary>
[NonParallelizable]
public sealed class ContainerClientRunTests : FacadeFixture
{
    [Test]
    public async Task RunAsyncReturnsTheExitCodeAndBothOutputs()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo out; echo err >&2; exit 3"]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.Status.IsFailure, Is.False);
            Assert.That(result.Stdout, Is.EqualTo("out\n"));
            Assert.That(result.Stderr, Is.EqualTo("err\n"));
            Assert.That(Bed.ShimsAfterExits(), Is.Empty, "the shim exited after the delete");
            Assert.That(Bed.MountsUnder(), Is.Empty, "the rootfs was unmounted");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty, "the bundle is gone");
            Assert.That(Bed.FifoEntries(), Is.Empty, "the FIFOs are gone");
            // The exit's event marker (<id>@exit-<ticks>, published by the watcher) is removed by name with the task.
            string markers = Path.Combine(Bed.State, "events", FacadeTestBed.Namespace);
            Assert.That(Directory.Exists(markers) ? Directory.GetFileSystemEntries(markers) : [], Is.Empty, "the event markers are gone");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "rootfs")), Is.Empty, "the rootfs record is gone");
        });
        Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty, "the container is gone");
        Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "its snapshot is gone");
    }

    [Test]
    public async Task RunAsyncMountsTheRootfsItDeletesVolatileAndATaskOfItsOwnDoesNot()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();

        RunResult run = await client.RunAsync(image, ["cat", "/proc/self/mountinfo"]);

        Assert.That(run.ExitCode, Is.Zero, run.Stderr);
        Assert.That(SuperOptionsOfRoot(run.Stdout), Does.Contain("volatile"), "no sync of the snapshots' file system at the unmount: the upper goes next");

        // A task made with NewTaskAsync: its container may get another task on the same upper directory, which the
        // kernel refuses to mount again after a volatile mount.
        Container container = await client.CreateContainerAsync("vol-" + Guid.NewGuid().ToString("N")[..8], image, new ContainerOptions { Args = ["cat", "/proc/self/mountinfo"] });
        using MemoryStream output = new();
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = output });
        _ = await task.StartAsync();
        Assert.That((await task.WaitAsync()).ExitCode, Is.Zero);
        _ = await task.DeleteAsync();
        await container.DeleteAsync();
        Assert.That(SuperOptionsOfRoot(Encoding.UTF8.GetString(output.ToArray())), Does.Not.Contain("volatile"));
    }

    /// <summary>The super options (after " - type source ") of the mountinfo line of the mount at "/".</summary>
    private static string SuperOptionsOfRoot(string mountinfo)
    {
        string line = mountinfo.Split('\n').Single(l => l.Split(' ') is { Length: > 4 } fields && fields[4] == "/");
        string[] after = line[(line.IndexOf(" - ", StringComparison.Ordinal) + 3)..].Split(' ');
        Assert.That(after[0], Is.EqualTo("overlay"), line);
        return after[2];
    }

    [Test]
    public async Task RunAsyncUsesTheImageConfigAndSpecOptions()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        RunOptions options = new() { Args = null };
        options.Spec.Add(SpecOptions.WithEnv("GREETING=hello"));
        options.Spec.Add(SpecOptions.WithHostname("facade"));
        options.Spec.Add(SpecOptions.WithUser("65534:65534"));
        options.Spec.Add(SpecOptions.WithMemoryLimit(64 * 1024 * 1024));
        options.Labels["purpose"] = "test";

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo $GREETING $(hostname) $(id -u):$(id -g) $PATH; pwd"], options);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo("hello facade 65534:65534 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n/\n"));
    }

    [Test]
    public async Task StdinIsFedToTheProcessAndEndsWithEndOfFile()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        // More than a pipe's 64 KiB, so the copy has to wait for the process to read.
        byte[] big = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("line of input\n", 20000)));

        RunResult small = await client.RunAsync(image, ["sh", "-c", "tr a-z A-Z"], new RunOptions { Stdin = new MemoryStream(Encoding.ASCII.GetBytes("hello\nworld\n")) });
        RunResult large = await client.RunAsync(image, ["sh", "-c", "wc -c; echo done"], new RunOptions { Stdin = new MemoryStream(big) });

        Assert.Multiple(() =>
        {
            Assert.That(small.Stdout, Is.EqualTo("HELLO\nWORLD\n"));
            Assert.That(large.Stdout.Split('\n', StringSplitOptions.TrimEntries), Is.EqualTo(new[] { big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "done", "" }));
        });
    }

    [Test]
    public async Task FiftyContainersRunConcurrentlyWithTheirOwnOutput()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();

        System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
        RunResult[] results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            client.RunAsync(image, ["sh", "-c", "echo out-$0; echo err-$0 >&2; exit $(($0 % 7))", i.ToString(System.Globalization.CultureInfo.InvariantCulture)])));
        await TestContext.Out.WriteLineAsync($"50 concurrent RunAsync: {clock.ElapsedMilliseconds} ms in all");

        Assert.Multiple(() =>
        {
            for (int i = 0; i < results.Length; i++)
            {
                Assert.That(results[i].ExitCode, Is.EqualTo(i % 7), $"container {i}");
                Assert.That(results[i].Stdout, Is.EqualTo($"out-{i}\n"), $"container {i}");
                Assert.That(results[i].Stderr, Is.EqualTo($"err-{i}\n"), $"container {i}");
            }

            Assert.That(results.Select(r => r.Id).Distinct().Count(), Is.EqualTo(50));
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
        });
        Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty);
    }

    [Test]
    public async Task SequentialRunsOfTrueFromAWarmClient()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        _ = await client.RunAsync(image, ["true"]); // warm: JIT, the first shim
        List<long> times = [];
        for (int i = 0; i < 10; i++)
        {
            System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
            RunResult result = await client.RunAsync(image, ["true"]);
            times.Add(clock.ElapsedMilliseconds);
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        }

        // A figure for STATUS, not an assertion: create + start + wait + delete of task and container.
        times.Sort();
        await TestContext.Out.WriteLineAsync($"RunAsync(true), warm, 10 runs: median {times[5]} ms, min {times[0]} ms, max {times[^1]} ms");
        Assert.That(Bed.ShimsAfterExits(), Is.Empty);
    }

    [Test]
    public async Task AContainerCanNameAnotherRuncCompatibleRuntime()
    {
        TestHost.RequireTool("/usr/sbin/runc", "runc");
        using RuncDevNullGuard guard = new();
        (ContainerClient client, Image image) = await Bed.NewClientAsync();

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo via-runc; exit 2"], new RunOptions { Runtime = "/usr/sbin/runc" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
            Assert.That(result.Stdout, Is.EqualTo("via-runc\n"));
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });
    }
}
