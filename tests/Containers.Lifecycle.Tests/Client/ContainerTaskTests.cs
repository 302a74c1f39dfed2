using Containers.Client;
using Containers.Events;
using Containers.Images;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>Containers and tasks through the facade's handles: exec, kill, pause/resume, events (real containers, root).</summary>
[NonParallelizable]
public sealed class ContainerTaskTests : FacadeFixture
{
    [Test]
    public async Task ExecRunsInTheContainerWithItsOwnOutputAndExitCode()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        string id = "exec-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "echo ready > /tmp/ready; exec sleep 1000"] });
        ContainerTask task = await container.NewTaskAsync();
        await task.StartAsync();
        using MemoryStream stdout = new();
        using MemoryStream stderr = new();
        ExecOptions options = new() { Cwd = "/tmp" };
        options.Env.Add("WHO=exec");

        ExecProcess exec = await task.ExecAsync("e1", ["sh", "-c", "while [ ! -e ready ]; do sleep 0.05; done; cat ready; echo $WHO $(pwd); echo oops >&2; exit 4"],
            new ProcessIO { Stdout = stdout, Stderr = stderr }, options);
        int pid = await exec.StartAsync();
        IReadOnlyList<ProcessInfo> pids = await task.PidsAsync();
        ExitStatus status = await exec.WaitAsync();
        _ = await exec.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(pid, Is.GreaterThan(0));
            Assert.That(pids.Select(p => p.Pid), Does.Contain(task.Pid), "the init is among the container's processes");
            Assert.That(status.ExitCode, Is.EqualTo(4));
            Assert.That(System.Text.Encoding.UTF8.GetString(stdout.ToArray()), Is.EqualTo("ready\nexec /tmp\n"));
            Assert.That(System.Text.Encoding.UTF8.GetString(stderr.ToArray()), Is.EqualTo("oops\n"));
        });

        await task.KillAsync(9);
        Assert.That((await task.WaitAsync()).ExitCode, Is.EqualTo(137));
        _ = await task.DeleteAsync();
        await container.DeleteAsync();
        Assert.That(Bed.MountsUnder(), Is.Empty);
    }

    [Test]
    public async Task KillEndsTheTaskWith137AndPublishesItsExit()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        string id = "kill-" + Guid.NewGuid().ToString("N")[..8];
        using CancellationTokenSource cts = new(TimeSpan.FromMinutes(2));
        await using IAsyncEnumerator<EventEnvelope> events = client.Events.SubscribeAsync(null, cts.Token).GetAsyncEnumerator(cts.Token);
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask task = await container.NewTaskAsync();
        await task.StartAsync();

        await task.KillAsync(9);
        ExitStatus status = await task.WaitAsync();
        ExitStatus deleted = await task.DeleteAsync();
        TaskExit? exit = null;
        List<string> topics = [];
        while (exit is null && await events.MoveNextAsync())
        {
            topics.Add(events.Current.Topic);
            exit = events.Current.Event as TaskExit;
        }

        await container.DeleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(137));
            Assert.That(deleted.ExitCode, Is.EqualTo(137));
            Assert.That(exit!.ContainerId, Is.EqualTo(id));
            Assert.That(exit.ExitCode, Is.EqualTo(137));
            Assert.That(topics, Is.SupersetOf(new[] { EventTopics.ContainerCreate, EventTopics.TaskCreate, EventTopics.TaskStart, EventTopics.TaskExit }));
        });
    }

    [Test]
    public async Task PauseFreezesTheContainerAndResumeThawsIt()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        string id = "pause-" + Guid.NewGuid().ToString("N")[..8];
        string log = Bed.Directory.Combine(id + ".log");
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; done"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { LogFile = log });
        await task.StartAsync();

        await task.PauseAsync();
        TaskState paused = await task.StatusAsync();
        string freezer = File.ReadAllText($"/proc/{task.Pid}/cgroup").Split('\n').Single(l => l.Contains(":freezer:", StringComparison.Ordinal)).Split(':')[2];
        string frozen = File.ReadAllText($"/sys/fs/cgroup/freezer{freezer}/freezer.state").Trim();
        await task.ResumeAsync();
        TaskState resumed = await task.StatusAsync();
        string thawed = File.ReadAllText($"/sys/fs/cgroup/freezer{freezer}/freezer.state").Trim();

        await task.KillAsync(9);
        _ = await task.WaitAsync();
        _ = await task.DeleteAsync();
        await container.DeleteAsync();
        Assert.Multiple(() =>
        {
            Assert.That(paused.Status, Is.EqualTo(ProcessStatus.Paused));
            Assert.That(frozen, Is.EqualTo("FROZEN"));
            Assert.That(resumed.Status, Is.EqualTo(ProcessStatus.Running));
            Assert.That(thawed, Is.EqualTo("THAWED"));
        });
    }
}
