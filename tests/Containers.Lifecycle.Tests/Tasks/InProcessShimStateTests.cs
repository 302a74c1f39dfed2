using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;
using Containers.Tasks;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A shim that runs runcs's engine in-process keeps runcs's state: <c>runcs --root &lt;shim&gt;/runtime</c>
/// from outside lists, inspects and signals its containers.
/// </summary>
public sealed class InProcessShimStateTests
{
    [Test]
    public async Task RuncsStateListAndKillSeeTheShimsContainers()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync();
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-inproc", "exec sleep 1000");
        int pid = await service.CreateAsync(new TaskCreateRequest(id, bundle));
        string shim = Directory.GetDirectories(bed.Shims).Single();
        string root = ShimPaths.RuntimeRoot(shim);
        ShimTaskRecord record = ShimFiles.TryRead(ShimPaths.TaskRecord(ShimPaths.Task(shim, id)), ShimJsonContext.Default.ShimTaskRecord)!;
        Assert.Multiple(() =>
        {
            Assert.That(record.InProcess, Is.True, "no runtime named: the shim's own engine");
            Assert.That(record.Runtime, Is.EqualTo(bed.Runcs));
            // The shim cloned the init itself: a child of the shim from the start, not re-parented.
            Assert.That(File.ReadAllText($"/proc/{pid}/status"), Does.Contain($"PPid:\t{bed.ShimPid()}\n"));
        });

        ToolResult created = await Tool.RunAsync(bed.Runcs, ["--root", root, "state", id]);
        Assert.That(created.ExitCode, Is.Zero, created.StandardError);
        Assert.That(created.StandardOutput, Does.Contain("\"status\": \"created\"").Or.Contain("\"status\":\"created\""));
        Assert.That(created.StandardOutput, Does.Contain($"{pid}"));

        _ = await service.StartAsync(id);
        ToolResult running = await Tool.RunAsync(bed.Runcs, ["--root", root, "state", id]);
        Assert.That(running.StandardOutput, Does.Contain("\"status\": \"running\"").Or.Contain("\"status\":\"running\""));
        ToolResult list = await Tool.RunAsync(bed.Runcs, ["--root", root, "list", "-q"]);
        Assert.That(list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { id }));

        // A signal from outside the shim: the shim reaps the init and records the exit.
        ToolResult killed = await Tool.RunAsync(bed.Runcs, ["--root", root, "kill", id, "KILL"]);
        Assert.That(killed.ExitCode, Is.Zero, killed.StandardError);
        Assert.That((await service.WaitAsync(id)).ExitCode, Is.EqualTo(137));
        ToolResult stopped = await Tool.RunAsync(bed.Runcs, ["--root", root, "state", id]);
        Assert.That(stopped.StandardOutput, Does.Contain("\"status\": \"stopped\"").Or.Contain("\"status\":\"stopped\""));

        Assert.That((await service.DeleteAsync(id)).ExitCode, Is.EqualTo(137));
    }
}
