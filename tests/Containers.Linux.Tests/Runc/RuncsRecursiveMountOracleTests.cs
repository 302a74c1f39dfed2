using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runc 1.1's recursive mount attributes (rro, rnosuid, rnodev, rnoexec, rnoatime): an rbind of a host directory with a
/// tmpfs submount, compared with runc 1.1.5 on one bundle. A plain "ro" changes only the top mount; "rro" reaches the
/// submount too.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsRecursiveMountOracleTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private TempDirectory _host = null!;
    private RuncStateRoot _runcRoot = null!;
    private string? _submount;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        TestHost.RequireTool("/usr/sbin/runc", "runc");
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-rro");
        _host = new TempDirectory("runcs-rro-host-");
        _runcRoot = new RuncStateRoot("rro");
        string sub = _host.Combine("sub");
        Directory.CreateDirectory(sub);
        ProcessResult mount = Commands.Run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", sub]);
        Assert.That(mount.ExitCode, Is.Zero, "mount tmpfs: " + mount);
        _submount = sub;
    }

    [TearDown]
    public void TearDown()
    {
        _runcRoot?.Dispose();
        _root?.Dispose();
        if (_submount is not null)
        {
            Commands.Run("umount", ["-l", _submount]);
        }

        _host?.Dispose();
        _bundle?.Dispose();
    }

    [Test]
    public void RecursiveAttributes_ReachTheSubmount_AsInRunc()
    {
        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        mounts.Add(JsonNode.Parse($$"""{"destination": "/ro", "type": "bind", "source": "{{_host.Path}}", "options": ["rbind", "rro"]}"""));
        mounts.Add(JsonNode.Parse($$"""{"destination": "/plain", "type": "bind", "source": "{{_host.Path}}", "options": ["rbind", "ro"]}"""));
        mounts.Add(JsonNode.Parse($$"""{"destination": "/flags", "type": "bind", "source": "{{_host.Path}}", "options": ["rbind", "rnosuid", "rnodev", "rnoexec", "rnoatime"]}"""));
        _bundle.WithArgs("sh", "-c",
            "for f in /ro/top /ro/sub/f /plain/top /plain/sub/plain; do if e=$( (echo x > $f) 2>&1 ); then echo $f written; else echo \"$e\"; fi; done; " +
            "grep -E ' /(ro|plain|flags)(/sub)? ' /proc/self/mountinfo | cut -d' ' -f5-6");

        string runcs = Run(runc: false);
        string runc = Run(runc: true);
        TestContext.Out.WriteLine(runcs);

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("/ro/top: Read-only file system").And.Contain("/ro/sub/f: Read-only file system")
            .And.Contain("/plain/top: Read-only file system").And.Contain("/plain/sub/plain written"));
        Dictionary<string, string> options = runcs.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith('/'))
            .Select(l => l.Split(' '))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1]);
        Assert.That(options["/ro"].Split(','), Does.Contain("ro"));
        Assert.That(options["/ro/sub"].Split(','), Does.Contain("ro"));
        Assert.That(options["/plain/sub"].Split(','), Does.Contain("rw"));
        Assert.That(options["/flags/sub"].Split(','), Does.Contain("nosuid").And.Contain("nodev").And.Contain("noexec").And.Contain("noatime").And.Contain("rw"));
        Assert.That(options["/flags"].Split(','), Does.Contain("nosuid").And.Contain("nodev").And.Contain("noexec").And.Contain("noatime"));
        Assert.That(File.Exists(_host.Combine("top")), Is.False);
        Assert.That(File.Exists(Path.Combine(_submount!, "f")), Is.False);
    }

    [Test]
    public void NoSymFollow_StopsSymlinksOnTheMount()
    {
        File.WriteAllText(Path.Combine(_submount!, "target"), "reached\n");
        File.CreateSymbolicLink(Path.Combine(_submount!, "link"), "target");
        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        mounts.Add(JsonNode.Parse($$"""{"destination": "/nofollow", "type": "bind", "source": "{{_host.Path}}", "options": ["rbind", "rnosymfollow"]}"""));
        mounts.Add(JsonNode.Parse($$"""{"destination": "/follow", "type": "bind", "source": "{{_submount}}", "options": ["bind", "nosymfollow", "symfollow"]}"""));
        mounts.Add(JsonNode.Parse($$"""{"destination": "/top", "type": "bind", "source": "{{_submount}}", "options": ["bind", "nosymfollow"]}"""));
        _bundle.WithArgs("sh", "-c",
            "for f in /nofollow/sub/link /follow/link /top/link; do cat $f 2>/dev/null || echo $f refused; done; " +
            "grep -E ' /(nofollow/sub|follow|top) ' /proc/self/mountinfo | cut -d' ' -f5-6");

        string runcs = Run(runc: false);

        Assert.That(runcs, Does.Contain("/nofollow/sub/link refused").And.Contain("/top/link refused").And.Contain("reached"));
        Assert.That(runcs, Does.Match(@"/nofollow/sub \S*nosymfollow").And.Match(@"/top \S*nosymfollow"));
        Assert.That(runcs, Does.Not.Match(@"/follow \S*nosymfollow"));
        Assert.That(runcs, Does.Not.Contain("/follow/link refused"));
    }

    [Test]
    public void Features_ListTheRecursiveOptionsRuncLists()
    {
        string[] runcs = MountOptionsOf(Commands.Run(RuncsBinary.Path, ["features"]));
        string[] runc = MountOptionsOf(Commands.Run("runc", ["features"]));

        string[] recursive = [.. runc.Where(o => o.StartsWith('r') && o is not "remount" and not "rw" and not "relatime")];
        Assert.That(recursive, Does.Contain("rro").And.Contain("rnoatime"));
        Assert.That(runcs, Is.SupersetOf(recursive).And.Contain("nosymfollow").And.Not.Contain("remount"));
    }

    private static string[] MountOptionsOf(ProcessResult features)
    {
        Assert.That(features.ExitCode, Is.Zero, features.ToString());
        return [.. JsonNode.Parse(features.StandardOutput)!["mountOptions"]!.AsArray().Select(o => (string)o!)];
    }

    private string Run(bool runc)
    {
        if (runc)
        {
            return _runcRoot.Run(_bundle.Directory);
        }

        ProcessResult result = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "rro-" + Guid.NewGuid().ToString("N")[..8]], _bundle.Directory);
        Assert.That(result.ExitCode, Is.Zero, "runcs: " + result);
        return result.StandardOutput;
    }
}
