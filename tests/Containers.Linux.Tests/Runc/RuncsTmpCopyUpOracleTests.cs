using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runc's <c>tmpcopyup</c> for a tmpfs mounted below an earlier mount: runc copies what the container sees at the
/// destination when it mounts (the earlier mount's content), runcs copies the same before the clone. Compared with
/// runc 1.1.5 on one bundle.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class RuncsTmpCopyUpOracleTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private TempDirectory _host = null!;
    private RuncStateRoot _runcRoot = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        TestHost.RequireTool("/usr/sbin/runc", "runc");
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-copyup");
        _host = new TempDirectory("runcs-copyup-host-");
        _runcRoot = new RuncStateRoot("copyup");
    }

    [TearDown]
    public void TearDown()
    {
        _runcRoot?.Dispose();
        _root?.Dispose();
        _host?.Dispose();
        _bundle?.Dispose();
    }

    [Test]
    public void BelowABindMountAndAnEarlierCopyUpAndATmpfs_MatchesRunc()
    {
        // Underneath /data/sub: the bind source's files (owners and modes kept: f1 0640 of uid 1000, which the container's
        // root, without CAP_DAC_OVERRIDE, cannot read — in both runtimes), not the rootfs's.
        string sub = _host.Combine("sub");
        Directory.CreateDirectory(Path.Combine(sub, "dir"));
        File.WriteAllText(Path.Combine(sub, "f1"), "from-the-bind\n");
        File.WriteAllText(Path.Combine(sub, "dir", "f2"), "deeper\n");
        File.CreateSymbolicLink(Path.Combine(sub, "link"), "f1");
        Assert.That(Commands.Run("chown", ["-R", "1000:1001", sub]).ExitCode, Is.Zero);
        File.SetUnixFileMode(Path.Combine(sub, "f1"), (UnixFileMode)0x1A0);
        File.SetUnixFileMode(sub, (UnixFileMode)0x1C0);
        Directory.CreateDirectory(Path.Combine(_bundle.Rootfs, "data", "sub"));
        File.WriteAllText(Path.Combine(_bundle.Rootfs, "data", "sub", "from-rootfs"), "hidden\n");

        // Underneath /etc/conf: the copy /etc got.
        Directory.CreateDirectory(Path.Combine(_bundle.Rootfs, "etc", "conf"));
        File.WriteAllText(Path.Combine(_bundle.Rootfs, "etc", "conf", "a"), "conf-a\n");
        File.SetUnixFileMode(Path.Combine(_bundle.Rootfs, "etc", "conf"), (UnixFileMode)0x1E8);

        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        mounts.Add(JsonNode.Parse($$"""{"destination": "/data", "type": "bind", "source": "{{_host.Path}}", "options": ["rbind", "rw"]}"""));
        mounts.Add(JsonNode.Parse("""{"destination": "/data/sub", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}"""));
        mounts.Add(JsonNode.Parse("""{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}"""));
        mounts.Add(JsonNode.Parse("""{"destination": "/etc/conf", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nodev"]}"""));
        mounts.Add(JsonNode.Parse("""{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}"""));
        mounts.Add(JsonNode.Parse("""{"destination": "/scratch/x", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}"""));
        _bundle.WithArgs("sh", "-c", "ls -lnR /data/sub /etc/conf /scratch; cat /data/sub/f1 /data/sub/dir/f2 /etc/conf/a; echo new > /data/sub/new && echo written; grep -E ' /(data/sub|etc/conf|scratch/x) ' /proc/self/mountinfo | cut -d' ' -f5-");

        string runcs = Run(runc: false);
        Assert.That(File.Exists(Path.Combine(sub, "new")), Is.False, "runcs wrote to the tmpfs, not the bind source");
        string runc = Run(runc: true);
        Assert.That(File.Exists(Path.Combine(sub, "new")), Is.False, "runc wrote to the tmpfs, not the bind source");

        Assert.That(StripTimes(runcs), Is.EqualTo(StripTimes(runc)));
        Assert.That(runcs, Does.Contain("link -> f1").And.Contain("deeper").And.Contain("conf-a").And.Contain("written").And.Contain(" 1000 "));
        Assert.That(runcs, Does.Not.Contain("from-rootfs"));
    }

    [Test]
    public void BelowAnEarlierProcMount_IsRefusedByName()
    {
        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        int index = mounts.Count;
        mounts.Add(JsonNode.Parse("""{"destination": "/proc/x", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}"""));
        _bundle.WithArgs("true");

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "create", "--bundle", _bundle.Directory, "copyup-refused"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain($"mounts[{index}]").And.Contain("below an earlier proc mount"));
        Assert.That(_root.Containers, Is.Empty);
    }

    private string Run(bool runc)
    {
        if (runc)
        {
            return _runcRoot.Run(_bundle.Directory);
        }

        ProcessResult result = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "copyup-" + Guid.NewGuid().ToString("N")[..8]], _bundle.Directory);
        Assert.That(result.ExitCode, Is.Zero, "runcs: " + result);
        return result.StandardOutput;
    }

    private static string StripTimes(string listing)
        => string.Join('\n', listing.Split('\n').Select(l => DateColumns().Replace(l, " ")));

    [GeneratedRegex(@" [A-Z][a-z]{2} +\d+ +[\d:]+ ")]
    private static partial Regex DateColumns();
}
