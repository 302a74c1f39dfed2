using Containers.Client;
using Containers.Images;
using Containers.Snapshots;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary><see cref="ContainerOptions.ReadOnlyRootfs"/>: the rootfs is a snapshot view (containerd's WithNewSnapshotView) with root.readonly (real containers, root).</summary>
[NonParallelizable]
public sealed class ContainerClientReadOnlyRootfsTests : FacadeFixture
{
    [Test]
    public async Task AReadOnlyRootfsIsAViewWhereWritesFailWithErofsAndTheDeleteRemovesIt()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "ro-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions
        {
            ReadOnlyRootfs = true,
            Args = ["sh", "-c", "cat /etc/passwd > /dev/null && echo read-ok; echo x > /probe; echo rc=$?; mkdir /tmp/d; echo rc=$?"],
        });
        string key = container.Record.SnapshotKey!;
        SnapshotInfo during = await client.Snapshotter.StatAsync(key);
        using MemoryStream stdout = new();
        using MemoryStream stderr = new();
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = stdout, Stderr = stderr });
        await task.StartAsync();
        ExitStatus status = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync();
        await container.DeleteAsync();
        NotFoundException? gone = Assert.ThrowsAsync<NotFoundException>(async () => await client.Snapshotter.StatAsync(key));

        // The same image with a writable rootfs, as a control: the write succeeds there.
        RunResult writable = await client.RunAsync(image, ["sh", "-c", "echo x > /probe; echo rc=$?"]);

        string output = System.Text.Encoding.UTF8.GetString(stdout.ToArray());
        string errors = System.Text.Encoding.UTF8.GetString(stderr.ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(during.Kind, Is.EqualTo(SnapshotKind.View), "the rootfs is a view, not an active snapshot");
            Assert.That(container.Spec.Root?.Readonly, Is.True, "root.readonly is in the spec");
            Assert.That(status.ExitCode, Is.Zero);
            Assert.That(output, Is.EqualTo("read-ok\nrc=1\nrc=1\n"), "reads work; both writes fail");
            Assert.That(errors, Does.Contain("Read-only file system"), "the writes fail with EROFS");
            Assert.That(gone, Is.Not.Null, "the container's delete removed the view");
            Assert.That(writable.Stdout, Is.EqualTo("rc=0\n"));
            Assert.That(Bed.MountsUnder(), Is.Empty);
        });
    }
}
