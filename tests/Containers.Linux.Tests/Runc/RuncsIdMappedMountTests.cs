using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, the idmap option): runcs and crun 1.8.1 (which implements
/// them; runc 1.1.5 does not) run the same bundle on the same source directory, and the owners the container sees,
/// and what a write does, must match. crun runs in a private mount namespace with an empty tmpfs over the cgroup2
/// mount, since it refuses this hybrid host.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsIdMappedMountTests
{
    private const string Crun = "/usr/bin/crun";
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private TempDirectory _source = null!;
    private string _crunRoot = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        TestHost.RequireTool(Crun, "crun");
        TestHost.RequireTool("/usr/bin/unshare", "util-linux");
        _bundle = new TestBundle();
        _bundle.Config["ociVersion"] = "1.0.2";
        _root = new StateRoot("runcs-idmap");
        _source = new TempDirectory("runcs-idmap-src-");
        _crunRoot = Path.Combine(Path.GetTempPath(), $"crun-idmap-{Guid.NewGuid():N}");
        File.WriteAllText(_source.Combine("by-root"), "r\n");
        File.WriteAllText(_source.Combine("by-one"), "1\n");
        Assert.That(Commands.Run("chown", ["1:1", _source.Combine("by-one")]).ExitCode, Is.Zero);

        // Searchable by the container's root, which has no CAP_DAC_OVERRIDE and sees the directory under a mapped owner.
        File.SetUnixFileMode(_source.Path, (UnixFileMode)0x1ED);
    }

    [TearDown]
    public void TearDown()
    {
        if (_crunRoot is not null && Directory.Exists(_crunRoot))
        {
            foreach (string container in Directory.GetDirectories(_crunRoot))
            {
                Commands.Run(Crun, ["--root", _crunRoot, "delete", "-f", Path.GetFileName(container)]);
            }

            Directory.Delete(_crunRoot, recursive: true);
        }

        _root?.Dispose();
        _source?.Dispose();
        _bundle?.Dispose();
    }

    [Test]
    public void WithoutAUserNamespace_FilesShowTheMappedOwnersAndAnUnmappedWriterFails_AsCrun()
    {
        AddIdMappedMount("""[{"containerID": 0, "hostID": 5000, "size": 2000}]""", """[{"containerID": 0, "hostID": 6000, "size": 2000}]""");
        _bundle.WithArgs("sh", "-c", "stat -c '%n %u %g' /mnt/by-root /mnt/by-one; touch /mnt/new 2>&1; echo touch=$?");

        string runcs = Run(crun: false);
        string crun = Run(crun: true);

        Assert.That(runcs, Is.EqualTo(crun));
        Assert.That(runcs, Does.Contain("/mnt/by-root 5000 6000").And.Contain("/mnt/by-one 5001 6001").And.Contain("touch=1"));
        Assert.That(File.Exists(_source.Combine("new")), Is.False);
    }

    [Test]
    public void InAUserNamespace_TheMappingMatchingTheContainersShowsHostRootAsContainerRoot_AsCrun()
    {
        _bundle.WithNewUserNamespace();
        AddIdMappedMount("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""", """[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        _bundle.WithArgs("sh", "-c", "stat -c '%n %u %g' /mnt/by-root /mnt/by-one; touch /mnt/new && stat -c '%n %u %g' /mnt/new && rm /mnt/new");

        string runcs = Run(crun: false);
        string crun = Run(crun: true);

        Assert.That(runcs, Is.EqualTo(crun));
        Assert.That(runcs, Does.Contain("/mnt/by-root 0 0").And.Contain("/mnt/by-one 1 1").And.Contain("/mnt/new 0 0"));
    }

    [Test]
    public void Features_ReportIdMappedMounts()
    {
        ProcessResult features = Commands.Run(RuncsBinary.Path, ["features"]);

        Assert.That(features.ExitCode, Is.Zero, features.ToString());
        Assert.That((bool?)JsonNode.Parse(features.StandardOutput)!["linux"]!["mountExtensions"]!["idmap"]!["enabled"], Is.True);
    }

    [TestCase("""{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"], "uidMappings": [{"containerID": 0, "hostID": 5000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 5000, "size": 1}]}""", ".uidMappings", "bind mount")]
    [TestCase("""{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind"], "uidMappings": [{"containerID": 0, "hostID": 5000, "size": 1}]}""", ".gidMappings", "together")]
    [TestCase("""{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["rbind", "idmap"]}""", ".uidMappings", "no new user namespace")]
    public void BadIdMappedMount_IsRefusedByFieldAndLeavesNothing(string mount, string field, string words)
    {
        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        int index = mounts.Count;
        mounts.Add(JsonNode.Parse(mount));
        _bundle.WithArgs("true");

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "create", "--bundle", _bundle.Directory, "idmap-bad"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain($"mounts[{index}]{field}").And.Contain(words));
        Assert.That(_root.Containers, Is.Empty);
    }

    private void AddIdMappedMount(string uidMappings, string gidMappings)
    {
        JsonObject mount = new()
        {
            ["destination"] = "/mnt",
            ["type"] = "bind",
            ["source"] = _source.Path,
            ["options"] = JsonNode.Parse("""["bind", "idmap"]"""),
            ["uidMappings"] = JsonNode.Parse(uidMappings),
            ["gidMappings"] = JsonNode.Parse(gidMappings),
        };
        _bundle.Config["mounts"]!.AsArray().Add(mount);
        _bundle.Save();
    }

    private string Run(bool crun)
    {
        string id = "idmap-" + Guid.NewGuid().ToString("N")[..8];
        ProcessResult result = crun
            ? Commands.Run("/usr/bin/unshare", ["-m", "sh", "-c", $"mount -t tmpfs none /sys/fs/cgroup/unified && exec {Crun} --root '{_crunRoot}' run -b '{_bundle.Directory}' {id}"])
            : Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "--bundle", _bundle.Directory, id]);
        Assert.That(result.ExitCode, Is.Zero, (crun ? "crun: " : "runcs: ") + result);
        return result.StandardOutput;
    }
}
