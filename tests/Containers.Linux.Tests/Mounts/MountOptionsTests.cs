using Containers.Linux.Mounts;

namespace Containers.Linux.Tests.Mounts;

public sealed class MountOptionsTests
{
    [Test]
    public void FlagWords_BecomeFlags_AndTheRestBecomesData()
    {
        MountOptions options = MountOptions.Parse(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"], "mounts[2].options");

        Assert.That(options.Flags, Is.EqualTo(Interop.MS_NOSUID | Interop.MS_NOEXEC));
        Assert.That(options.Data, Is.EqualTo("newinstance,ptmxmode=0666,mode=0620,gid=5"));
        Assert.That(options.IsBind, Is.False);
    }

    [Test]
    public void LaterWordsOverrideEarlierOnes()
    {
        MountOptions options = MountOptions.Parse(["ro", "rw", "nodev"], "m");

        Assert.That(options.Flags, Is.EqualTo(Interop.MS_NODEV));
        Assert.That(options.Cleared, Is.EqualTo(Interop.MS_RDONLY));
    }

    [Test]
    public void Rbind_IsARecursiveBind_WithPropagation()
    {
        MountOptions options = MountOptions.Parse(["rbind", "rprivate", "ro"], "m");

        Assert.That(options.IsBind, Is.True);
        Assert.That(options.Flags & Interop.MS_REC, Is.EqualTo(Interop.MS_REC));
        Assert.That(options.Propagation, Is.EqualTo(Interop.MS_PRIVATE | Interop.MS_REC));
        Assert.That(options.BindAttributes("m"), Is.EqualTo((Interop.MOUNT_ATTR_RDONLY, 0UL)));
    }

    [Test]
    public void BindAttributes_ClearWhatTheOptionsTurnOff()
    {
        MountOptions options = MountOptions.Parse(["bind", "rw", "suid", "noatime"], "m");

        (ulong set, ulong clear) = options.BindAttributes("m");

        Assert.That(set, Is.EqualTo(Interop.MOUNT_ATTR_NOATIME));
        Assert.That(clear, Is.EqualTo(Interop.MOUNT_ATTR_RDONLY | Interop.MOUNT_ATTR_NOSUID | Interop.MOUNT_ATTR__ATIME));
    }

    [TestCase("rro")]
    [TestCase("remount")]
    public void UnimplementedOptions_AreRefusedByName(string option)
    {
        UnsupportedException ex = Assert.Throws<UnsupportedException>(() => MountOptions.Parse(["nosuid", option], "mounts[4].options"))!;

        Assert.That(ex.Message, Does.Contain(option).And.Contain("mounts[4].options"));
    }

    [TestCase("idmap", false)]
    [TestCase("ridmap", true)]
    public void IdMap_IsAnExtensionNotData(string option, bool recursive)
    {
        MountOptions options = MountOptions.Parse(["rbind", option], "m");

        Assert.That((options.IdMap, options.RecursiveIdMap, options.Data), Is.EqualTo((true, recursive, (string?)null)));
    }

    [Test]
    public void TmpCopyUp_IsAnExtensionNotData()
    {
        MountOptions options = MountOptions.Parse(["nosuid", "tmpcopyup", "mode=755"], "m");

        Assert.That(options.CopyUp, Is.True);
        Assert.That(options.Data, Is.EqualTo("mode=755"));
        Assert.That(options.Flags, Is.EqualTo(Interop.MS_NOSUID));
    }

    [Test]
    public void SyncOnABind_IsRefused()
        => Assert.Throws<UnsupportedException>(() => MountOptions.Parse(["bind", "sync"], "m").BindAttributes("m"));
}
