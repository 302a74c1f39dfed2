using System.Text;
using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;
using Containers.Tasks;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>Tasks created with a <c>shimGroup</c> option share one real <c>runcs shim</c>.</summary>
public sealed class SharedShimTests
{
    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task TwoTasksOfAGroupShareOneShimThatExitsWithTheLast(string runtimeName)
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        await using ShimTaskService service = bed.NewService(bed.Runtime(runtimeName));
        byte[] group = GroupOptions("g-" + Guid.NewGuid().ToString("N")[..8]);
        (string first, string firstBundle, string firstLog) = await bed.BundleAsync("lc-grp-a", "echo from-a; exit 7");
        (string second, string secondBundle, string secondLog) = await bed.BundleAsync("lc-grp-b", "echo from-b >&2; exit 8");

        int firstPid = await service.CreateAsync(new TaskCreateRequest(first, firstBundle) { Options = group, IO = new TaskIO { Stdout = "file://" + firstLog } });
        int secondPid = await service.CreateAsync(new TaskCreateRequest(second, secondBundle) { Options = group, IO = new TaskIO { Stderr = "file://" + secondLog } });
        int[] shims = bed.ShimPids();
        Assert.That(shims, Has.Length.EqualTo(1), "one shim for the group");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText($"/proc/{firstPid}/status"), Does.Contain($"PPid:\t{shims[0]}\n"));
            Assert.That(File.ReadAllText($"/proc/{secondPid}/status"), Does.Contain($"PPid:\t{shims[0]}\n"));
        });

        _ = await service.StartAsync(first);
        _ = await service.StartAsync(second);
        ExitStatus firstExit = await service.WaitAsync(first);
        ExitStatus secondExit = await service.WaitAsync(second);
        Assert.Multiple(() =>
        {
            Assert.That(firstExit.ExitCode, Is.EqualTo(7));
            Assert.That(secondExit.ExitCode, Is.EqualTo(8));
            Assert.That(File.ReadAllText(firstLog), Is.EqualTo("from-a\n"), "each task keeps its own stdio");
            Assert.That(File.ReadAllText(secondLog), Is.EqualTo("from-b\n"));
        });

        Assert.That((await service.DeleteAsync(first)).ExitCode, Is.EqualTo(7));
        Assert.That(ShimTestBed.IsAlive(shims[0]), Is.True, "the shim stays for its other task");
        Assert.ThrowsAsync<NotFoundException>(async () => await service.StateAsync(first));
        Assert.That((await service.StateAsync(second)).Exit?.ExitCode, Is.EqualTo(8), "the other task's exit record is its own");

        Assert.That((await service.DeleteAsync(second)).ExitCode, Is.EqualTo(8));
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shims[0])), Is.True, "the shim exits with its last task");
        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetFileSystemEntries(bed.Shims).Length == 0), Is.True, "links and directory removed");

        // The group starts a new shim on its next use.
        (string third, string thirdBundle, _) = await bed.BundleAsync("lc-grp-c", "true");
        _ = await service.CreateAsync(new TaskCreateRequest(third, thirdBundle) { Options = group });
        Assert.That(bed.ShimPids().Single(), Is.Not.EqualTo(shims[0]));
        _ = await service.DeleteAsync(third);
    }

    [Test]
    public async Task KillingTheSharedShimFailsEveryTaskOfIt()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        await using ShimTaskService service = bed.NewService();
        byte[] group = GroupOptions("g-" + Guid.NewGuid().ToString("N")[..8]);
        (string first, string firstBundle, _) = await bed.BundleAsync("lc-grp-dead-a", "exec sleep 1000");
        (string second, string secondBundle, _) = await bed.BundleAsync("lc-grp-dead-b", "exec sleep 1000");
        int firstPid = await service.CreateAsync(new TaskCreateRequest(first, firstBundle) { Options = group });
        int secondPid = await service.CreateAsync(new TaskCreateRequest(second, secondBundle) { Options = group });
        _ = await service.StartAsync(first);
        _ = await service.StartAsync(second);
        int shim = bed.ShimPids().Single();
        ValueTask<ExitStatus> firstWait = service.WaitAsync(first);
        ValueTask<ExitStatus> secondWait = service.WaitAsync(second);

        System.Diagnostics.Process.GetProcessById(shim).Kill();
        ExitStatus firstLost = await firstWait;
        ExitStatus secondLost = await secondWait;
        Assert.Multiple(() =>
        {
            Assert.That(firstLost.IsFailure, Is.True);
            Assert.That(secondLost.IsFailure, Is.True);
            Assert.That(secondLost.Failure, Does.Contain("shim"));
        });
        Assert.That((await service.StateAsync(first)).Status, Is.EqualTo(ProcessStatus.Stopped));
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.KillAsync(second, 9));
        // A new task cannot join a group whose dead shim still holds tasks.
        (string third, string thirdBundle, _) = await bed.BundleAsync("lc-grp-dead-c", "true");
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.CreateAsync(new TaskCreateRequest(third, thirdBundle) { Options = group }));

        Assert.That((await service.DeleteAsync(first)).IsFailure, Is.True);
        Assert.That((await service.DeleteAsync(second)).IsFailure, Is.True);
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(firstPid) && !ShimTestBed.IsAlive(secondPid)), Is.True, "the orphaned containers were killed");
        Assert.That(Directory.GetFileSystemEntries(bed.Shims), Is.Empty);
    }

    [Test]
    public async Task ANewServiceReconnectsToTheTasksOfASharedShim()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        byte[] group = GroupOptions("g-" + Guid.NewGuid().ToString("N")[..8]);
        (string first, string firstBundle, _) = await bed.BundleAsync("lc-grp-re-a", "exec sleep 1000");
        (string second, string secondBundle, _) = await bed.BundleAsync("lc-grp-re-b", "exit 5");
        await using (ShimTaskService before = bed.NewService())
        {
            _ = await before.CreateAsync(new TaskCreateRequest(first, firstBundle) { Options = group });
            _ = await before.CreateAsync(new TaskCreateRequest(second, secondBundle) { Options = group });
            _ = await before.StartAsync(first);
            _ = await before.StartAsync(second);
        }

        await using ShimTaskService after = bed.NewService();
        Assert.That((await after.WaitAsync(second)).ExitCode, Is.EqualTo(5));
        IReadOnlyList<TaskState> found = await after.ReconnectAsync();
        Assert.That(found.Select(t => (t.ContainerId, t.Status)), Is.EquivalentTo(new[] { (first, ProcessStatus.Running), (second, ProcessStatus.Stopped) }));
        await after.KillAsync(first, 9);
        Assert.That((await after.WaitAsync(first)).ExitCode, Is.EqualTo(137));
        _ = await after.DeleteAsync(first);
        _ = await after.DeleteAsync(second);
        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetFileSystemEntries(bed.Shims).Length == 0), Is.True);
    }

    [Test]
    public async Task ABadGroupNameIsRefusedByFieldAndCreatesNothing()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        await using ShimTaskService service = bed.NewService();
        (string id, string bundle, _) = await bed.BundleAsync("lc-grp-bad", "true");
        InvalidSpecException? refused = Assert.ThrowsAsync<InvalidSpecException>(async () =>
            await service.CreateAsync(new TaskCreateRequest(id, bundle) { Options = Encoding.UTF8.GetBytes("""{"shimGroup": "../x"}""") }));
        Assert.That(refused!.Message, Does.Contain("options.shimGroup"));
        Assert.That(Directory.Exists(bed.Shims) ? Directory.GetFileSystemEntries(bed.Shims) : [], Is.Empty);
    }

    private static byte[] GroupOptions(string group) => Encoding.UTF8.GetBytes($$"""{"{{ShimTaskService.ShimGroupOption}}": "{{group}}"}""");
}
