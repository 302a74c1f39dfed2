using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runtime;
using Containers.Snapshots.Mounting;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>Metrics, limit updates, OOM notification, stale bundles and streamed runs through the facade (real containers, root, cgroup v1 memory).</summary>
[NonParallelizable]
public sealed class ContainerTaskControlTests : FacadeFixture
{
    private const long MiB = 1024 * 1024;

    [Test]
    public async Task MetricsShowTheLimitsAndUpdateChangesMemoryCpuAndPids()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "upd-" + Guid.NewGuid().ToString("N")[..8];
        ContainerOptions options = new() { Args = ["sleep", "1000"] };
        options.Spec.Add(SpecOptions.WithMemoryLimit(64 * MiB));
        Container container = await client.CreateContainerAsync(id, image, options);
        ContainerTask task = await container.NewTaskAsync();
        await task.StartAsync();

        ContainerStats before = await task.MetricsAsync();
        await task.UpdateAsync(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 48 * MiB },
            Pids = new LinuxPids { Limit = 20 },
            Cpu = new LinuxCpu { Period = 100_000, Quota = 50_000 },
        });
        ContainerStats after = await task.MetricsAsync();
        string quota = File.ReadAllText(Path.Combine(CpuCgroupDirectory(task.Pid), "cpu.cfs_quota_us")).Trim();
        long? storedLimit = (await client.LoadContainerAsync(container.Id)).Spec.Linux?.Resources?.Memory?.Limit;
        await task.KillAsync(9);
        _ = await task.WaitAsync(timeout.Token);
        bool oom = await task.WaitForOomAsync(timeout.Token);
        FailedPreconditionException? stopped = Assert.ThrowsAsync<FailedPreconditionException>(async () => await task.MetricsAsync());
        _ = await task.DeleteAsync();
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(before.Memory.LimitBytes, Is.EqualTo((ulong)(64 * MiB)));
            Assert.That(before.Pids.Current, Is.GreaterThanOrEqualTo(1UL));
            Assert.That(after.Memory.LimitBytes, Is.EqualTo((ulong)(48 * MiB)));
            Assert.That(after.Pids.Limit, Is.EqualTo(20UL));
            Assert.That(quota, Is.EqualTo("50000"));
            Assert.That(storedLimit, Is.EqualTo(64 * MiB), "the stored spec is unchanged, as containerd's task update leaves the container's");
            Assert.That(oom, Is.False, "a killed task without an OOM reports none");
            Assert.That(stopped, Is.Not.Null);
        });
    }

    [Test]
    public async Task ATaskOverItsMemoryLimitIsReportedOomAndExits137()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "oom-" + Guid.NewGuid().ToString("N")[..8];
        ContainerOptions options = new() { Args = ["sh", "-c", "x=a; while :; do x=$x$x; done"] };
        options.Spec.Add(SpecOptions.WithMemoryLimit(16 * MiB));
        Container container = await client.CreateContainerAsync(id, image, options);
        ContainerTask task = await container.NewTaskAsync();
        await task.StartAsync();

        bool oom = await task.WaitForOomAsync(timeout.Token);
        ExitStatus status = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync();
        await container.DeleteAsync();

        Assert.That(oom, Is.True);
        Assert.That(status.ExitCode, Is.EqualTo(137));
    }

    [Test]
    public async Task ABundleLeftByADeadHostIsUnmountedAndRemovedByTheNextTaskButNotOneOfALiveTask()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "stale-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "echo fresh; ls /stale-marker 2>&1; exit 2"] });
        // What a host that died after mounting the rootfs, before the shim made the task, leaves behind.
        string bundle = Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace, id);
        string rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(rootfs);
        File.WriteAllText(Path.Combine(bundle, "config.json"), "{}");
        MountHelper.MountAll(await client.Snapshotter.MountsAsync(container.Record.SnapshotKey!), rootfs);
        File.WriteAllText(Path.Combine(rootfs, "stale-marker"), "x");
        int mountsBefore = Bed.MountsUnder().Count(m => m == rootfs);

        OutputRecorder output = new();
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = output });
        await task.StartAsync();
        ExitStatus status = await task.WaitAsync(timeout.Token);
        int mountsDuring = Bed.MountsUnder().Count(m => m == rootfs);
        _ = await task.DeleteAsync();

        // A live task's bundle is not touched: the second create is refused and the task runs on.
        Container other = await client.CreateContainerAsync(id + "-live", image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask live = await other.NewTaskAsync();
        await live.StartAsync();
        AlreadyExistsException? refused = Assert.ThrowsAsync<AlreadyExistsException>(async () => await other.NewTaskAsync());
        ProcessStatus liveStatus = (await live.StatusAsync()).Status;
        bool liveMounted = Bed.MountsUnder().Contains(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace, id + "-live", "rootfs"));
        await live.KillAsync(9);
        _ = await live.WaitAsync(timeout.Token);
        _ = await live.DeleteAsync();
        await other.DeleteAsync();
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(mountsBefore, Is.EqualTo(1));
            Assert.That(status.ExitCode, Is.EqualTo(2));
            Assert.That(output.Text, Does.StartWith("fresh\n"));
            Assert.That(output.Text, Does.Contain("stale-marker"), "the file written through the stale mount is in the snapshot");
            Assert.That(mountsDuring, Is.EqualTo(1), "the stale mount was taken off before the task's own");
            Assert.That(refused, Is.Not.Null);
            Assert.That(liveStatus, Is.EqualTo(ProcessStatus.Running));
            Assert.That(liveMounted, Is.True, "the live task's rootfs stayed mounted");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty, "bundles and lock files are gone with the containers");
        });
    }

    [Test]
    public async Task ABundleAnotherLiveProcessHoldsIsNotTakenForStaleAndIsRemovedOnceThatProcessIsGone()
    {
        // The bundle directory is its own lock (no lock file beside it since session 15): a process creating the
        // task holds an flock on it. Here another process (util-linux flock) holds it while a bundle sits there.
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "held-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "exit 4"] });
        string bundle = Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace, id);
        Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
        File.WriteAllText(Path.Combine(bundle, "config.json"), "{}");
        using System.Diagnostics.Process holder = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("flock", ["--exclusive", "--no-fork", bundle, "sh", "-c", "echo locked; exec sleep 60"]) { RedirectStandardOutput = true })!;
        try
        {
            // flock(1) takes the lock, then (--no-fork) becomes the command: the process waited for below is the holder.
            Assert.That(await holder.StandardOutput.ReadLineAsync(timeout.Token), Is.EqualTo("locked"));

            FailedPreconditionException? busy = Assert.ThrowsAsync<FailedPreconditionException>(async () => await container.NewTaskAsync(cancellationToken: timeout.Token));
            bool keptWhileHeld = File.Exists(Path.Combine(bundle, "config.json"));
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(timeout.Token);

            ContainerTask task = await container.NewTaskAsync(cancellationToken: timeout.Token);
            await task.StartAsync(timeout.Token);
            ExitStatus status = await task.WaitAsync(timeout.Token);
            _ = await task.DeleteAsync(timeout.Token);
            await container.DeleteAsync(timeout.Token);

            Assert.Multiple(() =>
            {
                Assert.That(busy!.Message, Does.Contain("another process is creating"));
                Assert.That(keptWhileHeld, Is.True, "a held bundle is not removed");
                Assert.That(status.ExitCode, Is.EqualTo(4), "once the holder is gone the bundle is stale: removed and made anew");
                Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty);
            });
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }

    [Test]
    public async Task RunAsyncStreamsOutputToTheCallersStreamsWhenGiven()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        OutputRecorder stdout = new();

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo out; echo err >&2; echo more"], new RunOptions { Stdout = stdout });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0));
            Assert.That(stdout.Text, Is.EqualTo("out\nmore\n"));
            Assert.That(result.Stdout, Is.Empty, "streamed, not buffered");
            Assert.That(result.Stderr, Is.EqualTo("err\n"), "the other stream is still buffered");
        });
    }

    /// <summary>The v1 cpu controller's directory of a process (from /proc/PID/cgroup).</summary>
    private static string CpuCgroupDirectory(int pid)
    {
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains("cpu"))
            {
                const string mount = "/sys/fs/cgroup/cpu";
                return mount + parts[2];
            }
        }

        Assert.Ignore("no cgroup v1 cpu controller");
        return "";
    }
}
