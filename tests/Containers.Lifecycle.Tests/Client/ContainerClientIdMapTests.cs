using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Oci.Runtime;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// A container in a user namespace (0 → 100000) on an id-mapped overlay snapshot: the image's files, owned by 0 on
/// disk, are its root's own — not the overflow id 65534 an unmapped rootfs shows — and its root can write /.
/// </summary>
[NonParallelizable]
public sealed class ContainerClientIdMapTests : FacadeFixture
{
    private static readonly LinuxIdMapping[] Map = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
    private const string Script = "id -u; id -g; stat -c '%u %g' / /bin/busybox /etc; touch /new-file && stat -c '%u %g' /new-file";

    [Test]
    public async Task AUserNamespaceContainerSeesItsIdMappedRootfsAsItsOwn()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        // The container's root (host 100000) passes through the state directory to its bundle, as through
        // containerd's 0711 /run/containerd; the test bed's directories are 0700.
        File.SetUnixFileMode(Bed.Directory.Path, (UnixFileMode)0b111_001_001);
        File.SetUnixFileMode(Bed.State, (UnixFileMode)0b111_001_001);
        RunOptions mapped = new();
        mapped.Spec.Add(SpecOptions.WithUserNamespace(Map, Map));
        mapped.SnapshotLabels["containerd.io/snapshot/uidmapping"] = "0:100000:65536";
        mapped.SnapshotLabels["containerd.io/snapshot/gidmapping"] = "0:100000:65536";
        RunOptions unmapped = new();
        unmapped.Spec.Add(SpecOptions.WithUserNamespace(Map, Map));

        RunResult result = await client.RunAsync(image, ["sh", "-c", Script], mapped);
        RunResult control = await client.RunAsync(image, ["sh", "-c", "stat -c '%u %g' /bin/busybox"], unmapped);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(result.Stdout, Is.EqualTo("0\n0\n0 0\n0 0\n0 0\n0 0\n"));
            Assert.That(control.Stdout, Is.EqualTo("65534 65534\n"), "without the labels the layers' root is unmapped in the namespace");
            Assert.That(Bed.MountsUnder(), Is.Empty, "the rootfs was unmounted");
        });
        Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "its snapshot is gone");
    }
}
