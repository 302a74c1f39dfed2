using Containers.Leases;
using Containers.Registry;
using Containers.Snapshots;

namespace Containers.Abstractions.Tests.Contracts;

[TestFixture]
public sealed class DataTypeTests
{
    [Test]
    public void MountsCompareOptionsElementByElement()
    {
        var a = new Mount("overlay", "overlay", ["lowerdir=/a:/b", "ro"]) { Target = "/x" };
        var b = new Mount("overlay", "overlay", new List<string> { "lowerdir=/a:/b", "ro" }) { Target = "/x" };
        var reordered = new Mount("overlay", "overlay", ["ro", "lowerdir=/a:/b"]) { Target = "/x" };
        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
            Assert.That(a, Is.Not.EqualTo(reordered));
            Assert.That(a, Is.Not.EqualTo(b with { Target = null }));
            Assert.That(a.IsReadOnly, Is.True);
            Assert.That(new Mount("bind", "/src", ["rbind", "rw"]).IsReadOnly, Is.False);
        });
    }

    [Test]
    public void SnapshotUsageAdds()
    {
        var total = new SnapshotUsage(100, 3) + new SnapshotUsage(50, 2);
        Assert.That(total, Is.EqualTo(new SnapshotUsage(150, 5)));
        Assert.That(SnapshotUsage.Add(total, new SnapshotUsage(1, 1)), Is.EqualTo(new SnapshotUsage(151, 6)));
    }

    [Test]
    public void LeaseResourcesUseContainerdKinds()
    {
        var digest = Digest.Compute("hello"u8);
        Assert.Multiple(() =>
        {
            Assert.That(LeaseResource.ForContent(digest), Is.EqualTo(new LeaseResource(digest.ToString(), "content")));
            Assert.That(LeaseResource.ForIngest("pull-1"), Is.EqualTo(new LeaseResource("pull-1", "ingests")));
            Assert.That(LeaseResource.ForSnapshot("overlayfs", "extract-1"), Is.EqualTo(new LeaseResource("extract-1", "snapshots/overlayfs")));
        });
    }

    [Test]
    public void RegistryCredentialsDoNotPrintTheSecret()
    {
        var text = new RegistryCredentials("alice", "s3cr3t-token").ToString();
        Assert.That(text, Does.Contain("alice").And.Not.Contain("s3cr3t"));
    }
}
