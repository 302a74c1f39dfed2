using Containers.Client;
using Containers.Images;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>The facade end to end: a real registry, overlayfs, runcs shims, real containers (root).</summary>
[NonParallelizable]
public sealed class ContainerClientRunTests
{
    private FacadeTestBed _bed = null!;

    [SetUp]
    public async Task SetUp() => _bed = await FacadeTestBed.CreateAsync();

    [TearDown]
    public async Task TearDown() => await _bed.DisposeAsync();

    [Test]
    public async Task RunAsyncReturnsTheExitCodeAndBothOutputs()
    {
        (ContainerClient client, Image image) = await _bed.NewClientAsync();

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo out; echo err >&2; exit 3"]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3));
            Assert.That(result.Status.IsFailure, Is.False);
            Assert.That(result.Stdout, Is.EqualTo("out\n"));
            Assert.That(result.Stderr, Is.EqualTo("err\n"));
            Assert.That(_bed.Shims(), Is.Empty, "the shim exited after the delete");
            Assert.That(_bed.MountsUnder(), Is.Empty, "the rootfs was unmounted");
        });
        Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty, "the container is gone");
        Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "its snapshot is gone");
    }
}
