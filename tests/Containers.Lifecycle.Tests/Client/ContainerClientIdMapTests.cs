using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Tasks;
using Containers.Testing;

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

    [Test]
    public async Task ABundleIsPrivateAndAUserNamespaceContainersLetsOnlyItsMappedRootGroupThrough()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        File.SetUnixFileMode(Bed.Directory.Path, (UnixFileMode)0b111_001_001);
        File.SetUnixFileMode(Bed.State, (UnixFileMode)0b111_001_001);
        ContainerOptions userns = new() { Args = ["sh", "-c", "ls / > /dev/null && echo reached"] };
        userns.Spec.Add(SpecOptions.WithUserNamespace(Map, Map));

        string plain = await BundleModeWhileRunningAsync(client, image, "bundle-plain", new ContainerOptions { Args = ["true"] });
        string mapped = await BundleModeWhileRunningAsync(client, image, "bundle-userns", userns);

        // containerd's modes since CVE-2021-41103: no host user but the container's own root may traverse a
        // bundle (a traversable one lets anyone reach the mounted rootfs, its setuid files among them).
        Assert.Multiple(() =>
        {
            Assert.That(plain, Is.EqualTo("700 0 0"));
            Assert.That(mapped, Is.EqualTo("710 0 100000"));
        });
    }

    /// <summary>Creates the container's task, reads its bundle's mode, owner and group (stat), then removes task and container.</summary>
    private static async Task<string> BundleModeWhileRunningAsync(ContainerClient client, Image image, string id, ContainerOptions options)
    {
        Container container = await client.CreateContainerAsync(id, image, options);
        try
        {
            ContainerTask task = await container.NewTaskAsync();
            try
            {
                string mode = (await Tool.RunCheckedAsync("stat", "-c", "%a %u %g", client.BundleDirectory(id))).StandardOutput.Trim();
                _ = await task.StartAsync();
                ExitStatus status = await task.WaitAsync();
                Assert.That(status.ExitCode, Is.EqualTo(0), id + " ran");
                return mode;
            }
            finally
            {
                _ = await task.DeleteAsync();
            }
        }
        finally
        {
            await container.DeleteAsync();
        }
    }
}
