using System.Globalization;
using Containers.Events;
using Containers.Lifecycle.Tasks;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runtime;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>What the shim reads from a task's cgroup: OOM notifications and statistics.</summary>
public sealed class ShimCgroupEventsTests
{
    [TestCase("runcs")]
    [TestCase("runc")]
    public async Task AnAllocatingTaskOverItsMemoryLimitGivesATaskOomEventAndItsExit(string runtimeName)
    {
        InProcessEventBus events = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName, events);
        ShimTaskService service = session.Service;
        await using EventRecording recording = EventRecording.Start(events, timeout.Token);

        (string id, _, _, _) = await session.StartTaskAsync("lc-oom", "x=a; while :; do x=$x$x; done", SpecOptions.WithMemoryLimit(16 << 20));
        ExitStatus exit = await service.WaitAsync(id);
        Assert.That(exit.ExitCode, Is.EqualTo(128 + 9), "killed by the OOM killer");

        List<EventEnvelope> seen = await recording.UntilAsync(s => s.Any(e => e.Event is TaskOom) && s.Any(e => e.Event is TaskExit));
        TaskOom? oom = seen.Select(e => e.Event).OfType<TaskOom>().FirstOrDefault();
        Assert.That(oom, Is.Not.Null, string.Join(", ", seen.Select(e => e.Topic)));
        Assert.Multiple(() =>
        {
            Assert.That(oom!.ContainerId, Is.EqualTo(id));
            Assert.That(seen.Single(e => e.Topic == EventTopics.TaskOom).Namespace, Is.EqualTo("default"));
            Assert.That(seen.Select(e => e.Event).OfType<TaskExit>().Single().ExitCode, Is.EqualTo(137));
            Assert.That(seen.FindIndex(e => e.Event is TaskOom), Is.LessThan(seen.FindIndex(e => e.Event is TaskExit)), "the OOM is published before the exit");
        });
        _ = await service.DeleteAsync(id);
    }

    [Test]
    public async Task MetricsOfARunningTaskAreItsCgroupFiles()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync();
        ShimTaskService service = session.Service;
        SpecOption pidsLimit = (_, spec, _) =>
        {
            (spec.Linux!.Resources ??= new LinuxResources()).Pids = new LinuxPids { Limit = 77 };
            return ValueTask.CompletedTask;
        };
        (string id, string bundle, _, int pid) = await session.StartTaskAsync("lc-metrics",
            "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000 & touch /tmp/done; wait", SpecOptions.WithMemoryLimit(48 << 20), pidsLimit);
        Assert.That(await ShimTestBed.EventuallyAsync(() => File.Exists(Path.Combine(bundle, "rootfs", "tmp", "done"))), Is.True);

        string memory = CgroupDirectory(pid, "memory");
        string cpu = CgroupDirectory(pid, "cpuacct");
        string pids = CgroupDirectory(pid, "pids");
        ulong cpuBefore = Read(cpu, "cpuacct.usage");
        ulong memoryBefore = Read(memory, "memory.usage_in_bytes");
        ContainerStats stats = await service.MetricsAsync(id);
        ulong cpuAfter = Read(cpu, "cpuacct.usage");
        ulong memoryAfter = Read(memory, "memory.usage_in_bytes");
        Assert.Multiple(() =>
        {
            Assert.That(stats.Cpu.TotalNanoseconds, Is.InRange(cpuBefore, cpuAfter));
            Assert.That(stats.Cpu.TotalNanoseconds, Is.GreaterThan(0UL));
            Assert.That(stats.Memory.UsageBytes, Is.InRange(Math.Min(memoryBefore, memoryAfter), Math.Max(memoryBefore, memoryAfter)));
            Assert.That(stats.Memory.LimitBytes, Is.EqualTo(48UL << 20));
            Assert.That(stats.Memory.LimitBytes, Is.EqualTo(Read(memory, "memory.limit_in_bytes")));
            Assert.That(stats.Memory.OomKills, Is.Zero);
            Assert.That(stats.Pids.Current, Is.EqualTo(Read(pids, "pids.current")));
            Assert.That(stats.Pids.Current, Is.EqualTo(2UL), "sh and sleep");
            Assert.That(stats.Pids.Limit, Is.EqualTo(77UL));
        });

        await service.KillAsync(id, 9, all: true);
        _ = await service.WaitAsync(id);
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.MetricsAsync(id));
        _ = await service.DeleteAsync(id);
    }

    private static string CgroupDirectory(int pid, string controller)
    {
        string line = File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.Split(':')[1].Split(',').Contains(controller));
        string mount = File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .First(f => f[^3] == "cgroup" && f[^1].Split(',').Contains(controller))[4];
        return mount + line.Split(':', 3)[2];
    }

    private static ulong Read(string directory, string file)
        => ulong.Parse(File.ReadAllText(Path.Combine(directory, file)).Trim(), CultureInfo.InvariantCulture);
}
