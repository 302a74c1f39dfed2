using Containers.Client;
using Containers.Images;
using Containers.Linux.Supervision;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// The state directories whose children come and go with each container — the namespace's bundles, the shims, a shim's
/// task and runtime directories — and the snapshotter's snapshots directory carry ext4's top-of-hierarchies attribute after a run (<c>TopDirectories</c>),
/// read back with lsattr. Needs the test's state on ext2/3/4, as on this project's VM (skipped visibly elsewhere).
/// </summary>
[NonParallelizable]
public sealed class TopDirectoriesTests : FacadeFixture
{
    [Test]
    public async Task ARunLeavesTheBundlesShimsAndSnapshotsDirectoriesMarked()
    {
        await InodeAttributes.RequireExt4Async(Bed.Directory.Path);
        // A warm shim stays after the run, so its directories can be read.
        ServiceProvider provider = Bed.NewProvider(o => o.WarmShims = 1);
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        Assert.That((await client.RunAsync(image, ["true"])).ExitCode, Is.Zero);
        string bundles = await InodeAttributes.OfAsync(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace));
        string shims = await InodeAttributes.OfAsync(Path.Combine(Bed.State, "shims"));
        string state = await InodeAttributes.OfAsync(Bed.State);
        string warm = Bed.Shims().Single();
        string tasks = await InodeAttributes.OfAsync(ShimPaths.Tasks(warm));
        string runtime = await InodeAttributes.OfAsync(ShimPaths.RuntimeRoot(warm));
        string shim = await InodeAttributes.OfAsync(warm);
        string snapshots = await InodeAttributes.OfAsync(Path.Combine(Bed.Root, "snapshots", "overlayfs", "snapshots"));

        Assert.Multiple(() =>
        {
            Assert.That(bundles, Does.Contain('T'), "the namespace's bundle directory");
            Assert.That(shims, Does.Contain('T'), "the shims' directory");
            Assert.That(snapshots, Does.Contain('T'), "the overlay snapshotter's snapshots directory");
            Assert.That(tasks, Does.Contain('T'), "the shim's task directories' parent");
            Assert.That(runtime, Does.Contain('T'), "the shim's runtime state directories' parent");
            Assert.That(state, Does.Not.Contain('T'), "nothing else");
            Assert.That(shim, Does.Not.Contain('T'), "nothing else");
        });
    }
}
