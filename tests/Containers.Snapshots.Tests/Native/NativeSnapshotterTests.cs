using Containers.Snapshots.Tests.Testsuite;

namespace Containers.Snapshots.Tests.Native;

/// <summary>containerd's snapshotter testsuite against <see cref="NativeSnapshotter"/> (full copies, bind mounts).</summary>
public sealed class NativeSnapshotterTests : SnapshotterTestsuite
{
    protected override ISnapshotter CreateSnapshotter(string root) => new NativeSnapshotter(root);
}
