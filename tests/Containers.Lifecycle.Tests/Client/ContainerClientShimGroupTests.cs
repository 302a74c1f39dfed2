using System.IO.Pipes;
using System.Text;
using Containers.Client;
using Containers.Images;

namespace Containers.Lifecycle.Tests.Client;

/// <summary><see cref="ContainerOptions.ShimGroup"/>: containers of one group run under one real <c>runcs shim</c> (root).</summary>
[NonParallelizable]
public sealed class ContainerClientShimGroupTests : FacadeFixture
{
    [Test]
    public async Task RunsInAShimGroupShareTheGroupsShimWithCorrectOutputAndExitCodes()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        // A long-running member keeps the group's shim alive between the runs.
        Container keeper = await client.CreateContainerAsync("keeper", image, new ContainerOptions { ShimGroup = "grp", Args = ["sleep", "1000"] });
        ContainerTask keeperTask = await keeper.NewTaskAsync();
        int shim = ShimProbe.ParentOf(await keeperTask.StartAsync());
        try
        {
            using AnonymousPipeServerStream input = new(PipeDirection.Out);
            using AnonymousPipeClientStream reader = new(PipeDirection.In, input.ClientSafePipeHandle);
            Task<RunResult> first = client.RunAsync(image, ["sh", "-c", "read x; echo got-$x; exit 4"], new RunOptions { Id = "first", ShimGroup = "grp", Stdin = reader });
            int firstPid = await ShimProbe.RunningPidAsync(client, "first", first);
            Assert.That(ShimProbe.ParentOf(firstPid), Is.EqualTo(shim), "the run's init is a child of the group's shim");
            input.Write(Encoding.ASCII.GetBytes("a\n"));
            input.Dispose();
            RunResult one = await first;
            RunResult two = await client.RunAsync(image, ["sh", "-c", "echo two; echo err >&2; exit 0"], new RunOptions { ShimGroup = "grp" });

            Assert.Multiple(() =>
            {
                Assert.That(one.ExitCode, Is.EqualTo(4));
                Assert.That(one.Stdout, Is.EqualTo("got-a\n"));
                Assert.That(two.ExitCode, Is.Zero, two.Stderr);
                Assert.That(two.Stdout, Is.EqualTo("two\n"));
                Assert.That(two.Stderr, Is.EqualTo("err\n"));
                Assert.That(Directory.Exists($"/proc/{shim}"), Is.True, "the group's shim outlives the runs while the keeper lives");
            });
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable().Select(c => c.Id), Is.EqualTo(new[] { "keeper" }), "the runs' containers are gone");
        }
        finally
        {
            await keeperTask.KillAsync(9, all: true);
            _ = await keeperTask.WaitAsync();
            _ = await keeperTask.DeleteAsync();
            await keeper.DeleteAsync();
        }

        Assert.Multiple(() =>
        {
            Assert.That(Bed.ShimsAfterExits(), Is.Empty, "the shared shim exited with its last task");
            Assert.That(Bed.MountsUnder(), Is.Empty, "every rootfs was unmounted");
        });
    }

    [Test]
    public async Task AnInvalidShimGroupIsRefusedBeforeAnythingIsMade()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();

        InvalidSpecException? refused = Assert.ThrowsAsync<InvalidSpecException>(async () => await client.RunAsync(image, ["true"], new RunOptions { ShimGroup = "../x" }));

        Assert.That(refused!.Message, Does.Contain("shimGroup"));
        Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty);
        Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty);
    }
}
