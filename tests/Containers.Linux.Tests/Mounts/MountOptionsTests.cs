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

    [Test]
    public void RecursiveWords_AreAttributesNotFlagsOrData()
    {
        MountOptions options = MountOptions.Parse(["rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnoatime"], "m");

        Assert.That(options.RecursiveSet, Is.EqualTo(Interop.MOUNT_ATTR_RDONLY | Interop.MOUNT_ATTR_NOSUID | Interop.MOUNT_ATTR_NODEV | Interop.MOUNT_ATTR_NOEXEC | Interop.MOUNT_ATTR_NOATIME));
        Assert.That(options.RecursiveClear, Is.EqualTo(Interop.MOUNT_ATTR__ATIME));
        Assert.That((options.Flags, options.Data), Is.EqualTo((Interop.MS_BIND | Interop.MS_REC, (string?)null)));
        Assert.That(options.BindAttributes("m"), Is.EqualTo((0UL, 0UL)));
    }

    [Test]
    public void RecursiveWords_LaterOverridesEarlier()
    {
        MountOptions options = MountOptions.Parse(["rro", "rrw", "rnosuid", "rstrictatime", "rnodiratime", "rdiratime"], "m");

        Assert.That(options.RecursiveSet, Is.EqualTo(Interop.MOUNT_ATTR_NOSUID | Interop.MOUNT_ATTR_STRICTATIME));
        Assert.That(options.RecursiveClear, Is.EqualTo(Interop.MOUNT_ATTR_RDONLY | Interop.MOUNT_ATTR__ATIME | Interop.MOUNT_ATTR_NODIRATIME));
    }

    [TestCase("ratime")]
    [TestCase("rnostrictatime")]
    [TestCase("rrelatime")]
    public void ClearingAnAtimeValue_ClearsTheWholeAtimeField(string option)
    {
        // mount_setattr(2) refuses a partial MOUNT_ATTR__ATIME clear with EINVAL; 0 in the field is relatime.
        MountOptions options = MountOptions.Parse(["rnoatime", option], "m");

        Assert.That((options.RecursiveSet, options.RecursiveClear), Is.EqualTo((0UL, Interop.MOUNT_ATTR__ATIME)));
    }

    [Test]
    public void Rnorelatime_ChangesNothing()
    {
        MountOptions options = MountOptions.Parse(["rnorelatime"], "m");

        Assert.That((options.RecursiveSet, options.RecursiveClear), Is.EqualTo((0UL, 0UL)));
    }

    [Test]
    public void NoSymFollow_IsAFlag_AndABindAttribute()
    {
        MountOptions options = MountOptions.Parse(["bind", "nosymfollow", "rnosymfollow"], "m");

        Assert.That(options.Flags & Interop.MS_NOSYMFOLLOW, Is.EqualTo(Interop.MS_NOSYMFOLLOW));
        Assert.That(options.BindAttributes("m"), Is.EqualTo((Interop.MOUNT_ATTR_NOSYMFOLLOW, 0UL)));
        Assert.That(options.RecursiveSet, Is.EqualTo(Interop.MOUNT_ATTR_NOSYMFOLLOW));
        Assert.That(MountOptions.Parse(["bind", "symfollow"], "m").BindAttributes("m"), Is.EqualTo((0UL, Interop.MOUNT_ATTR_NOSYMFOLLOW)));
    }

    [Test]
    public void Known_ListsTheRecursiveWords()
        => Assert.That(MountOptions.Known, Is.SupersetOf(new[] { "rro", "rnoatime", "rnosymfollow", "nosymfollow", "rbind", "rslave", "tmpcopyup", "idmap" }));
}
