using System.Text.RegularExpressions;

namespace Containers.Linux.Tests.Runc;

/// <summary>runcs and runc 1.1 run the same bundle; what the container sees must match.</summary>
[TestFixture]
[NonParallelizable]
public sealed partial class RuncOracleTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private string _runcRoot = null!;
    private readonly string _id = "oracle-" + Guid.NewGuid().ToString("N")[..8];

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-oracle");
        _runcRoot = Path.Combine(Path.GetTempPath(), $"runc-oracle-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void TearDown()
    {
        if (_runcRoot is not null && Directory.Exists(_runcRoot))
        {
            foreach (string container in Directory.GetDirectories(_runcRoot))
            {
                Commands.Run("runc", ["--root", _runcRoot, "delete", "--force", Path.GetFileName(container)]);
            }

            Directory.Delete(_runcRoot, recursive: true);
        }

        RestoreDevNull();
        _root?.Dispose();
        _bundle?.Dispose();

        // The bundle has no cgroupsPath: both runtimes use /<id> in every hierarchy, and runc 1.1.5 on this hybrid host
        // has been seen to leave memory/<id> behind. The id is this test's own, so its cgroups are too.
        Clients.ClientLeftovers.RemoveCgroup("/" + _id);
    }

    [Test]
    public void Spec_IsByteForByteRuncSpec()
    {
        string runcDir = Directory.CreateTempSubdirectory("runc-spec-").FullName;
        try
        {
            Assert.That(Commands.Run("runc", ["spec"], runcDir).ExitCode, Is.Zero);
            string runcsDir = Directory.CreateTempSubdirectory("runcs-spec-").FullName;
            try
            {
                Assert.That(Commands.Run(RuncsBinary.Path, ["spec"], runcsDir).ExitCode, Is.Zero);
                Assert.That(File.ReadAllBytes(Path.Combine(runcsDir, "config.json")), Is.EqualTo(File.ReadAllBytes(Path.Combine(runcDir, "config.json"))));
            }
            finally
            {
                Directory.Delete(runcsDir, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(runcDir, recursive: true);
        }
    }

    [Test]
    public void Spec_RefusesToOverwriteConfigJson()
    {
        ProcessResult result = Commands.Run(RuncsBinary.Path, ["spec"], _bundle.Directory);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StandardError, Does.Contain("config.json"));
    }

    [TestCase(0u, 0u)]
    [TestCase(1000u, 1000u)]
    public void ProcStatus_CapabilitiesNoNewPrivsAndIds_MatchRunc(uint uid, uint gid)
    {
        _bundle.Process["user"] = System.Text.Json.Nodes.JsonNode.Parse($$"""{"uid": {{uid}}, "gid": {{gid}}}""");
        _bundle.WithArgs("grep", "-E", "^(Cap|NoNewPrivs|Uid|Gid|Groups|Seccomp:|SigIgn|SigBlk)", "/proc/self/status");

        (string runcs, string runc) = RunBoth();

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("CapInh:\t0000000000000000").And.Contain("CapAmb:\t0000000000000000").And.Contain("NoNewPrivs:\t1"));
    }

    [Test]
    public void ProcStatus_WithInheritableAndAmbientCapabilities_MatchRunc()
    {
        System.Text.Json.Nodes.JsonObject caps = _bundle.Process["capabilities"]!.AsObject();
        caps["inheritable"] = System.Text.Json.Nodes.JsonNode.Parse("""["CAP_KILL", "CAP_NET_BIND_SERVICE"]""");
        caps["ambient"] = System.Text.Json.Nodes.JsonNode.Parse("""["CAP_KILL"]""");
        _bundle.Process["user"] = System.Text.Json.Nodes.JsonNode.Parse("""{"uid": 1000, "gid": 1000}""");
        _bundle.WithArgs("grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status");

        (string runcs, string runc) = RunBoth();

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("CapAmb:\t0000000000000020"));
    }

    [Test]
    public void EnvironmentUmaskAndCwd_MatchRunc()
    {
        _bundle.Process["cwd"] = "/etc";
        _bundle.WithArgs("sh", "-c", "env | sort; umask; pwd; cat /proc/self/limits | grep -i 'open files'");

        (string runcs, string runc) = RunBoth();

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("0022"));
    }

    [Test]
    public void UserNamespace_IdsCapabilitiesAndDevices_MatchRunc()
    {
        Assert.That(Commands.Run("chown", ["-R", "-h", "100000:100000", _bundle.Rootfs]).ExitCode, Is.Zero);

        // The temporary bundle directory is 0700; the container's root (host uid 100000) must traverse it.
        File.SetUnixFileMode(_bundle.Directory, (UnixFileMode)0x1ED);
        System.Text.Json.Nodes.JsonObject linux = _bundle.Config["linux"]!.AsObject();
        linux["namespaces"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse("""{"type": "user"}"""));
        linux["uidMappings"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        linux["gidMappings"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        _bundle.WithArgs("sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; grep -E '^(Cap|NoNewPrivs)' /proc/self/status; ls -ln /dev/null /dev/zero /dev/tty | cut -c1-40; echo x > /dev/null && echo writable");

        (string runcs, string runc) = RunBoth();

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("100000").And.Contain("writable"));
    }

    [Test]
    public void Mountinfo_MatchesRunc()
    {
        _bundle.WithArgs("cat", "/proc/self/mountinfo");

        (string runcs, string runc) = RunBoth();

        Assert.That(Normalize(runcs), Is.EqualTo(Normalize(runc)));
        Assert.That(runcs, Does.Contain(" /proc/keys ").And.Contain(" /sys/firmware ").And.Contain(" /proc/sys ro,"));
    }

    [Test]
    public void DevDirectory_MatchesRunc()
    {
        _bundle.WithArgs("ls", "-ln", "/dev");

        (string runcs, string runc) = RunBoth();

        Assert.That(StripTimes(runcs), Is.EqualTo(StripTimes(runc)));
        Assert.That(runcs, Does.Contain("ptmx -> pts/ptmx").And.Contain("fd -> /proc/self/fd"));
    }

    private (string Runcs, string Runc) RunBoth()
    {
        ProcessResult runcs = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", _id], _bundle.Directory);
        ProcessResult runc = Commands.Run("runc", ["--root", _runcRoot, "run", _id], _bundle.Directory);
        RestoreDevNull();
        Assert.That(runc.ExitCode, Is.Zero, "runc: " + runc);
        Assert.That(runcs.ExitCode, Is.Zero, "runcs: " + runcs);
        return (runcs.StandardOutput, runc.StandardOutput);
    }

    /// <summary>Drops mount ids and peer-group numbers, which differ run to run.</summary>
    private static string Normalize(string mountinfo)
        => string.Join('\n', mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => PeerGroup().Replace(string.Join(' ', line.Split(' ').Skip(3)), "$1:N")));

    private static string StripTimes(string listing)
        => string.Join('\n', listing.Split('\n').Select(l => DateColumns().Replace(l, " ")));

    /// <summary>runc 1.1.5 leaves the host's /dev/null with the wrong owner and mode (runc issue 3674).</summary>
    private static void RestoreDevNull()
    {
        File.SetUnixFileMode("/dev/null", (UnixFileMode)0x1B6);
        Commands.Run("chown", ["root:root", "/dev/null"]);
    }

    [GeneratedRegex(@"(shared|master|propagate_from):\d+")]
    private static partial Regex PeerGroup();

    [GeneratedRegex(@" [A-Z][a-z]{2} +\d+ +[\d:]+ ")]
    private static partial Regex DateColumns();
}
