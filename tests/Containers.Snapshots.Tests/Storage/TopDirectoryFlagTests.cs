using Containers.Common;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Storage;

/// <summary>
/// <see cref="TopDirectoryFlag"/>: chattr +T where the file system has it (ext2/3/4), nothing elsewhere; the overlay
/// snapshotter marks its snapshots directory. Read back with e2fsprogs' lsattr, not with the code under test.
/// </summary>
public sealed class TopDirectoryFlagTests
{
    [Test]
    public async Task OnExt4TheAttributeIsSetAndTheSnapshotterMarksItsSnapshotsDirectory()
    {
        using TempDirectory temp = new("topdir-");
        await InodeAttributes.RequireExt4Async(temp.Path);
        string plain = temp.Combine("plain");
        Directory.CreateDirectory(plain);
        string before = await InodeAttributes.OfAsync(plain);

        bool set = TopDirectoryFlag.TrySet(plain);
        bool again = TopDirectoryFlag.TrySet(plain);
        string root = temp.Combine("root");
        await using (OverlaySnapshotter snapshotter = new(root))
        {
        }

        string after = await InodeAttributes.OfAsync(plain);
        string snapshots = await InodeAttributes.OfAsync(Path.Combine(root, "snapshots"));
        string rootAttributes = await InodeAttributes.OfAsync(root);

        Assert.Multiple(() =>
        {
            Assert.That(before, Does.Not.Contain('T'));
            Assert.That(set, Is.True);
            Assert.That(again, Is.True, "already set: true, nothing changed");
            Assert.That(after, Does.Contain('T'));
            Assert.That(snapshots, Does.Contain('T'), "the snapshotter marks its snapshots directory");
            Assert.That(rootAttributes, Does.Not.Contain('T'), "only the directory whose children are snapshots");
        });
    }

    [Test]
    public void WhereTheFileSystemHasNoSuchAttributeItReportsFalse()
    {
        string shm = Directory.CreateTempSubdirectory("topdir-").FullName;
        string onTmpfs = Path.Combine("/dev/shm", Path.GetFileName(shm));
        Directory.Delete(shm);
        Directory.CreateDirectory(onTmpfs);
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(TopDirectoryFlag.TrySet(onTmpfs), Is.False, "tmpfs has no such attribute");
                Assert.That(TopDirectoryFlag.TrySet(onTmpfs + "/missing"), Is.False, "a missing directory");
            });
        }
        finally
        {
            Directory.Delete(onTmpfs);
        }
    }
}
