using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>
/// <c>ctrs run</c>, <c>tasks</c>, <c>containers</c> and <c>events</c> as processes: a busybox image pulled from
/// Debian's docker-registry, real containers through runcs shims on overlayfs (root).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CtrsRunTests() : CtrsFixture("ctrs-run")
{
    [Test]
    public async Task Run_rm_prints_the_output_returns_the_exit_code_and_leaves_nothing()
    {
        string id = NewId("t");

        ToolResult run = await CtrsAsync("run", "--rm", Image.Reference, id, "sh", "-c", "echo out; echo err >&2; exit 7");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(7), run.StandardError);
            Assert.That(run.StandardOutput, Is.EqualTo("out\n"));
            Assert.That(run.StandardError, Is.EqualTo("err\n"));
        });
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Not.Contain(id));
        Assert.That(MountsUnderState(), Is.Empty, "the rootfs was unmounted");
    }

    [Test]
    public async Task Run_applies_env_user_mount_and_resource_flags_and_keeps_the_container_without_rm()
    {
        string id = NewId("t");
        string data = Image.Directory.Combine("data-" + id);
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "file"), "from the host");

        ToolResult run = await CtrsAsync("run", "--env", "GREETING=hello", "--user", "1000:1000", "--memory", "64m", "--cpus", "0.5", "--pids", "20",
            "--mount", $"type=bind,src={data},dst=/data,options=rbind:ro", "--net", "none", Image.Reference, id,
            "sh", "-c", "echo $GREETING; id -u; id -g; cat /data/file; echo; ls /sys/class/net");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.StandardError);
        Assert.That(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "hello", "1000", "1000", "from the host", "lo" }));

        ToolResult info = await CtrsAsync("containers", "info", id);
        Assert.That(info.ExitCode, Is.EqualTo(0), info.StandardError);
        Assert.Multiple(() =>
        {
            Assert.That(info.StandardOutput, Does.Contain("\"limit\": 67108864"), "memory");
            Assert.That(info.StandardOutput, Does.Contain("\"quota\": 50000").And.Contain("\"period\": 100000"), "cpus");
            Assert.That(info.StandardOutput, Does.Contain("\"limit\": 20"), "pids");
            Assert.That(info.StandardOutput, Does.Contain($"\"Image\": \"{Image.Reference}\""));
            Assert.That(info.StandardOutput, Does.Contain("\"type\": \"network\""), "--net none keeps a network namespace");
        });
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Contain(id));
        Assert.That((await CtrsAsync("tasks", "ls")).StandardOutput, Does.Not.Contain(id), "the foreground run deleted its task");
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Not.Contain(id));

        string hostId = NewId("t");
        ToolResult host = await CtrsAsync("run", "--rm", "--net", "host", Image.Reference, hostId, "ls", "/sys/class/net");
        Assert.That(host.ExitCode, Is.EqualTo(0), host.StandardError);
        Assert.That(host.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName)));
    }

    [Test]
    public async Task A_detached_task_is_driven_by_later_ctrs_processes_and_the_journal_records_it()
    {
        string id = NewId("t");
        ToolResult run = await CtrsAsync("run", "-d", Image.Reference, id, "sh", "-c", "echo started; exec sleep 1000");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.StandardError);

        Assert.That(TaskLine(await CtrsAsync("tasks", "ls"), id), Does.EndWith("RUNNING"));
        ToolResult exec = await CtrsAsync("tasks", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec out; exit 4");
        Assert.Multiple(() =>
        {
            Assert.That(exec.ExitCode, Is.EqualTo(4), exec.StandardError);
            Assert.That(exec.StandardOutput, Is.EqualTo("exec out\n"));
        });

        (await CtrsAsync("tasks", "pause", id)).EnsureSuccess("pause");
        Assert.That(TaskLine(await CtrsAsync("tasks", "ls"), id), Does.EndWith("PAUSED"));
        (await CtrsAsync("tasks", "resume", id)).EnsureSuccess("resume");
        Assert.That(TaskLine(await CtrsAsync("tasks", "ls"), id), Does.EndWith("RUNNING"));

        ToolResult metrics = await CtrsAsync("tasks", "metrics", id);
        if (metrics.ExitCode == 0)
        {
            Assert.That(metrics.StandardOutput, Does.Contain("memory.usage").And.Contain("pids.current"));
        }
        else
        {
            Assert.That(metrics.ExitCode, Is.EqualTo(1), "metrics either work or are refused by name");
            Assert.That(metrics.StandardError, Does.Contain("UnsupportedException: metrics"));
        }

        ToolResult attach = await CtrsAsync("tasks", "attach", id);
        Assert.That(attach.ExitCode, Is.EqualTo(1), "a task writing to a log file has no FIFOs to attach to");
        Assert.That(attach.StandardError, Does.Contain("FailedPreconditionException").And.Contain(id + ".log"));

        ToolResult removeRunning = await CtrsAsync("containers", "rm", id);
        Assert.That(removeRunning.ExitCode, Is.EqualTo(1), "a container with a task is refused");
        Assert.That(removeRunning.StandardError, Does.Contain("FailedPreconditionException"));

        (await CtrsAsync("tasks", "kill", "-s", "KILL", id)).EnsureSuccess("kill");
        ToolResult rm = await CtrsAsync("tasks", "rm", "-f", id);
        Assert.That(rm.ExitCode, Is.EqualTo(0), rm.StandardError);
        Assert.That(rm.StandardOutput, Does.Contain($"{id}: exit status 137"));
        Assert.That(await File.ReadAllTextAsync(Image.Directory.Combine("state", "logs", Namespace, id + ".log")), Does.Contain("started\n"));
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");

        ToolResult events = await CtrsAsync("events");
        Assert.That(events.ExitCode, Is.EqualTo(0), events.StandardError);
        string[] topics = events.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains(id, StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToArray();
        string[] expected = ["/containers/create", "/tasks/create", "/tasks/start", "/tasks/exec-added", "/tasks/exec-started", "/tasks/delete", "/tasks/paused", "/tasks/resumed", "/tasks/delete", "/containers/delete"];
        Assert.That(topics.Where(expected.Contains), Is.EqualTo(expected), string.Join("\n", topics));
    }

    [Test]
    public async Task Run_on_the_native_snapshotter_records_it_and_an_unknown_one_is_refused()
    {
        string id = NewId("t");
        ToolResult run = await CtrsAsync("run", "--snapshotter", "native", Image.Reference, id, "sh", "-c", "echo on-native");
        ToolResult info = await CtrsAsync("containers", "info", id);
        ToolResult snapshots = await CtrsAsync("snapshots", "--snapshotter", "native", "ls");
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");
        ToolResult after = await CtrsAsync("snapshots", "--snapshotter", "native", "ls");
        string bad = NewId("t");
        ToolResult unknown = await CtrsAsync("run", "--rm", "--snapshotter", "zfs", Image.Reference, bad, "true");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.StandardError);
            Assert.That(run.StandardOutput, Is.EqualTo("on-native\n"));
            Assert.That(info.StandardOutput, Does.Contain("\"Snapshotter\": \"native\""));
            Assert.That(snapshots.StandardOutput, Does.Contain(id), "the container's snapshot is native's");
            Assert.That(after.StandardOutput, Does.Not.Contain(id), "containers rm removed it from native");
            Assert.That(unknown.ExitCode, Is.EqualTo(1));
            Assert.That(unknown.StandardError, Does.Contain("InvalidSpecException").And.Contain("snapshotter").And.Contain("zfs"));
        });
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Not.Contain(bad));
    }

    [Test]
    public async Task Bad_flags_fail_with_a_named_error_and_leave_no_container()
    {
        string id = NewId("t");
        ToolResult memory = await CtrsAsync("run", "--rm", "--memory", "12x", Image.Reference, id, "true");
        ToolResult mount = await CtrsAsync("run", "--rm", "--mount", "type=bind,src=/tmp,dst=/x,bogus=1", Image.Reference, id, "true");
        ToolResult net = await CtrsAsync("run", "--rm", "--net", "bridge", Image.Reference, id, "true");
        ToolResult image = await CtrsAsync("run", "--rm", Image.Registry.Host + "/ctrs/absent:v1", id, "true");

        Assert.Multiple(() =>
        {
            Assert.That(memory.StandardError, Does.Contain("InvalidSpecException").And.Contain("--memory").And.Contain("12x"));
            Assert.That(mount.StandardError, Does.Contain("--mount").And.Contain("bogus"));
            Assert.That(net.StandardError, Does.Contain("--net").And.Contain("bridge"));
            Assert.That(image.StandardError, Does.Contain("NotFoundException"));
            Assert.That(new[] { memory.ExitCode, mount.ExitCode, net.ExitCode, image.ExitCode }, Is.All.EqualTo(1));
        });
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Not.Contain(id));
    }

    private IReadOnlyList<string> MountsUnderState()
        => File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.StartsWith(Image.Directory.Combine("state"), StringComparison.Ordinal)).ToArray();
}
