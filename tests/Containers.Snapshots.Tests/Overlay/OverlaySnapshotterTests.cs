using Containers.Snapshots.Tests.Testsuite;

namespace Containers.Snapshots.Tests.Overlay;

/// <summary>containerd's snapshotter testsuite against <see cref="OverlaySnapshotter"/> on real overlayfs mounts.</summary>
public sealed class OverlaySnapshotterTests : SnapshotterTestsuite
{
    protected override ISnapshotter CreateSnapshotter(string root)
    {
        if (!OverlaySnapshotter.IsSupported())
        {
            Assert.Ignore("this kernel has no overlayfs");
        }

        return new OverlaySnapshotter(root);
    }
}
