using System.Text;
using System.Text.Json.Nodes;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Abstractions.Tests.Runtime;

/// <summary>
/// Every rule of <see cref="SpecValidator"/> broken once, through <see cref="RuntimeSpecJson.ParseSpec"/>:
/// the error must name the exact JSON path. The documents runc and crun generate must pass, and the
/// readers keep their bounds and report file problems with typed errors.
/// </summary>
public sealed class SpecValidatorTests
{
    private const string Valid = """
        {
          "ociVersion": "1.2.0",
          "root": { "path": "rootfs" },
          "process": { "args": ["sh"], "cwd": "/", "user": { "uid": 0, "gid": 0 }, "env": ["PATH=/bin", "TERM=xterm"] },
          "hostname": "box",
          "mounts": [
            { "destination": "/proc", "type": "proc", "source": "proc" },
            { "destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind"] }
          ],
          "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" } ] }
        }
        """;

    private static readonly JsonNode UserMappings = JsonNode.Parse("""[{ "containerID": 0, "hostID": 100000, "size": 65536 }]""")!;

    /// <summary>(what is broken, the edit, the path the error must name).</summary>
    public static IEnumerable<TestCaseData> BrokenRules()
    {
        // Top level.
        yield return Case("ociVersion missing", d => d.Remove("ociVersion"), "ociVersion");
        yield return Case("ociVersion not SemVer", d => d["ociVersion"] = "1.2", "ociVersion");
        yield return Case("ociVersion leading zero", d => d["ociVersion"] = "01.0.0", "ociVersion");
        yield return Case("ociVersion 2.x", d => d["ociVersion"] = "2.0.0", "ociVersion");
        yield return Case("root.path empty", d => d["root"]!["path"] = "", "root.path");
        yield return Case("annotation key empty", d => d["annotations"] = new JsonObject { [""] = "x" }, "annotations");
        yield return Case("hostname without uts", d => { d["linux"]!["namespaces"]!.AsArray().RemoveAt(2); }, "hostname");
        yield return Case("domainname without uts", d => { d.Remove("hostname"); d["domainname"] = "example.org"; d["linux"]!["namespaces"]!.AsArray().RemoveAt(2); }, "domainname");

        // process.
        yield return Case("args empty", d => d["process"]!["args"] = new JsonArray(), "process.args");
        yield return Case("cwd relative", d => d["process"]!["cwd"] = "root", "process.cwd");
        yield return Case("cwd empty", d => d["process"]!["cwd"] = "", "process.cwd");
        yield return Case("env without =", d => d["process"]!["env"]!.AsArray().Add("NOEQUALS"), "process.env[2]");
        yield return Case("env empty key", d => d["process"]!["env"]![0] = "=x", "process.env[0]");
        yield return Case("umask above 0777", d => d["process"]!["user"]!["umask"] = 512, "process.user.umask");
        foreach (string set in new[] { "bounding", "effective", "inheritable", "permitted", "ambient" })
        {
            yield return Case("unknown capability in " + set, d => d["process"]!["capabilities"] = new JsonObject { [set] = new JsonArray("CAP_KILL", "CAP_FLY") }, $"process.capabilities.{set}[1]");
        }

        yield return Case("unknown rlimit", d => d["process"]!["rlimits"] = Json("""[{"type":"RLIMIT_NOFILE","soft":1,"hard":1},{"type":"RLIMIT_BOGUS","soft":1,"hard":1}]"""), "process.rlimits[1].type");
        yield return Case("duplicate rlimit", d => d["process"]!["rlimits"] = Json("""[{"type":"RLIMIT_NOFILE","soft":1,"hard":1},{"type":"RLIMIT_NOFILE","soft":2,"hard":2}]"""), "process.rlimits[1].type");
        yield return Case("rlimit soft above hard", d => d["process"]!["rlimits"] = Json("""[{"type":"RLIMIT_CORE","soft":2,"hard":1}]"""), "process.rlimits[0].soft");
        yield return Case("oomScoreAdj above 1000", d => d["process"]!["oomScoreAdj"] = 1001, "process.oomScoreAdj");
        yield return Case("oomScoreAdj below -1000", d => d["process"]!["oomScoreAdj"] = -1001, "process.oomScoreAdj");
        yield return Case("unknown scheduler policy", d => d["process"]!["scheduler"] = Json("""{"policy":"SCHED_FAST"}"""), "process.scheduler.policy");
        yield return Case("unknown scheduler flag", d => d["process"]!["scheduler"] = Json("""{"policy":"SCHED_OTHER","flags":["SCHED_FLAG_NOPE"]}"""), "process.scheduler.flags[0]");
        yield return Case("nice 20", d => d["process"]!["scheduler"] = Json("""{"policy":"SCHED_OTHER","nice":20}"""), "process.scheduler.nice");
        yield return Case("priority 100", d => d["process"]!["scheduler"] = Json("""{"policy":"SCHED_FIFO","priority":100}"""), "process.scheduler.priority");
        yield return Case("unknown I/O class", d => d["process"]!["ioPriority"] = Json("""{"class":"IOPRIO_CLASS_FAST","priority":0}"""), "process.ioPriority.class");
        yield return Case("I/O priority 8", d => d["process"]!["ioPriority"] = Json("""{"class":"IOPRIO_CLASS_BE","priority":8}"""), "process.ioPriority.priority");
        yield return Case("bad initial CPU list", d => d["process"]!["execCPUAffinity"] = Json("""{"initial":"0-"}"""), "process.execCPUAffinity.initial");
        yield return Case("bad final CPU list", d => d["process"]!["execCPUAffinity"] = Json("""{"final":"a"}"""), "process.execCPUAffinity.final");

        // mounts.
        yield return Case("relative destination", d => d["mounts"]![1]!["destination"] = "data", "mounts[1].destination");
        yield return Case("empty destination", d => d["mounts"]![0]!["destination"] = "", "mounts[0].destination");
        yield return Case("null mount", d => d["mounts"]!.AsArray().Add(null), "mounts[2]");
        yield return Case("id-mapped mount with size 0", d => { d["mounts"]![1]!["uidMappings"] = Json("""[{"containerID":0,"hostID":1,"size":0}]"""); d["mounts"]![1]!["gidMappings"] = UserMappings.DeepClone(); }, "mounts[1].uidMappings[0].size");
        yield return Case("id-mapped mount without gid mappings", d => d["mounts"]![1]!["uidMappings"] = UserMappings.DeepClone(), "mounts[1].gidMappings");
        yield return Case("id-mapped mount without uid mappings", d => d["mounts"]![1]!["gidMappings"] = UserMappings.DeepClone(), "mounts[1].uidMappings");
        yield return Case("id-mapped non-bind mount", d => { d["mounts"]![0]!["uidMappings"] = UserMappings.DeepClone(); d["mounts"]![0]!["gidMappings"] = UserMappings.DeepClone(); }, "mounts[0].uidMappings");

        // hooks.
        foreach (string list in new[] { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" })
        {
            yield return Case("relative hook path in " + list, d => d["hooks"] = new JsonObject { [list] = Json("""[{"path":"/bin/true"},{"path":"bin/true"}]""") }, $"hooks.{list}[1].path");
        }

        yield return Case("hook timeout 0", d => d["hooks"] = Json("""{"poststop":[{"path":"/bin/true","timeout":0}]}"""), "hooks.poststop[0].timeout");

        // linux.
        yield return Case("unknown namespace", d => d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"bogus"}""")), "linux.namespaces[3].type");
        yield return Case("duplicate namespace", d => d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"pid","path":"/proc/1/ns/pid"}""")), "linux.namespaces[3].type");
        yield return Case("relative namespace path", d => d["linux"]!["namespaces"]![0]!["path"] = "proc/1/ns/pid", "linux.namespaces[0].path");
        yield return Case("uid mappings without user namespace", d => { d["linux"]!["uidMappings"] = UserMappings.DeepClone(); d["linux"]!["gidMappings"] = UserMappings.DeepClone(); }, "linux.uidMappings");
        yield return Case("gid mappings without user namespace", d => d["linux"]!["gidMappings"] = UserMappings.DeepClone(), "linux.gidMappings");
        yield return Case("new user namespace without mappings", d => d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"user"}""")), "linux.uidMappings");
        yield return Case("new user namespace without gid mappings", d => { d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"user"}""")); d["linux"]!["uidMappings"] = UserMappings.DeepClone(); }, "linux.gidMappings");
        yield return Case("mapping of size 0", d => { d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"user"}""")); d["linux"]!["uidMappings"] = UserMappings.DeepClone(); d["linux"]!["gidMappings"] = Json("""[{"containerID":0,"hostID":1,"size":1},{"containerID":1,"hostID":2,"size":0}]"""); }, "linux.gidMappings[1].size");
        yield return Case("unknown clock", d => { d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"time"}""")); d["linux"]!["timeOffsets"] = Json("""{"realtime":{"secs":1}}"""); }, "linux.timeOffsets.realtime");
        yield return Case("nanosecs of a second", d => { d["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"time"}""")); d["linux"]!["timeOffsets"] = Json("""{"monotonic":{"secs":1,"nanosecs":1000000000}}"""); }, "linux.timeOffsets.monotonic.nanosecs");
        yield return Case("time offsets without time namespace", d => d["linux"]!["timeOffsets"] = Json("""{"boottime":{"secs":1}}"""), "linux.timeOffsets");
        yield return Case("relative device path", d => d["linux"]!["devices"] = Json("""[{"path":"dev/fuse","type":"c","major":10,"minor":229}]"""), "linux.devices[0].path");
        yield return Case("unknown device type", d => d["linux"]!["devices"] = Json("""[{"path":"/dev/p","type":"p"},{"path":"/dev/x","type":"x","major":1,"minor":1}]"""), "linux.devices[1].type");
        yield return Case("char device without major", d => d["linux"]!["devices"] = Json("""[{"path":"/dev/fuse","type":"c","minor":229}]"""), "linux.devices[0].major");
        yield return Case("block device without minor", d => d["linux"]!["devices"] = Json("""[{"path":"/dev/sda","type":"b","major":8}]"""), "linux.devices[0].minor");
        yield return Case("unknown rootfs propagation", d => d["linux"]!["rootfsPropagation"] = "sideways", "linux.rootfsPropagation");
        yield return Case("relative masked path", d => d["linux"]!["maskedPaths"] = new JsonArray("/proc/kcore", "proc/keys"), "linux.maskedPaths[1]");
        yield return Case("relative read-only path", d => d["linux"]!["readonlyPaths"] = new JsonArray("proc/sys"), "linux.readonlyPaths[0]");
        yield return Case("unknown personality", d => d["linux"]!["personality"] = Json("""{"domain":"SOLARIS"}"""), "linux.personality.domain");

        // linux.resources.
        yield return Case("device rule type", d => Resources(d)["devices"] = Json("""[{"allow":false,"access":"rwm"},{"allow":true,"type":"x","access":"r"}]"""), "linux.resources.devices[1].type");
        yield return Case("device rule access", d => Resources(d)["devices"] = Json("""[{"allow":false,"access":"rwx"}]"""), "linux.resources.devices[0].access");
        yield return Case("device rule empty access", d => Resources(d)["devices"] = Json("""[{"allow":false,"access":""}]"""), "linux.resources.devices[0].access");
        foreach (string field in new[] { "limit", "reservation", "swap", "kernel", "kernelTCP" })
        {
            yield return Case("memory " + field + " -2", d => Resources(d)["memory"] = new JsonObject { [field] = -2 }, "linux.resources.memory." + field);
        }

        yield return Case("swap below limit", d => Resources(d)["memory"] = Json("""{"limit":2000000,"swap":1000000}"""), "linux.resources.memory.swap");
        yield return Case("swappiness 101", d => Resources(d)["memory"] = Json("""{"swappiness":101}"""), "linux.resources.memory.swappiness");
        yield return Case("cpu shares 1", d => Resources(d)["cpu"] = Json("""{"shares":1}"""), "linux.resources.cpu.shares");
        yield return Case("cpu shares above max", d => Resources(d)["cpu"] = Json("""{"shares":262145}"""), "linux.resources.cpu.shares");
        yield return Case("cpu quota below 1ms", d => Resources(d)["cpu"] = Json("""{"quota":999}"""), "linux.resources.cpu.quota");
        yield return Case("cpu period below 1ms", d => Resources(d)["cpu"] = Json("""{"period":999}"""), "linux.resources.cpu.period");
        yield return Case("cpu period above 1s", d => Resources(d)["cpu"] = Json("""{"period":1000001}"""), "linux.resources.cpu.period");
        yield return Case("cpu burst without quota", d => Resources(d)["cpu"] = Json("""{"burst":1000}"""), "linux.resources.cpu.burst");
        yield return Case("cpu burst above quota", d => Resources(d)["cpu"] = Json("""{"quota":2000,"burst":3000}"""), "linux.resources.cpu.burst");
        yield return Case("cpu idle 2", d => Resources(d)["cpu"] = Json("""{"idle":2}"""), "linux.resources.cpu.idle");
        yield return Case("bad cpus", d => Resources(d)["cpu"] = Json("""{"cpus":"0,,1"}"""), "linux.resources.cpu.cpus");
        yield return Case("bad mems", d => Resources(d)["cpu"] = Json("""{"mems":"x"}"""), "linux.resources.cpu.mems");
        yield return Case("pids limit -2", d => Resources(d)["pids"] = Json("""{"limit":-2}"""), "linux.resources.pids.limit");
        yield return Case("blkio weight 9", d => Resources(d)["blockIO"] = Json("""{"weight":9}"""), "linux.resources.blockIO.weight");
        yield return Case("blkio leaf weight 1001", d => Resources(d)["blockIO"] = Json("""{"leafWeight":1001}"""), "linux.resources.blockIO.leafWeight");
        yield return Case("hugepage size", d => Resources(d)["hugepageLimits"] = Json("""[{"pageSize":"2MB","limit":1},{"pageSize":"2M","limit":1}]"""), "linux.resources.hugepageLimits[1].pageSize");

        // linux.seccomp.
        yield return Case("unknown default action", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_MAYBE"}"""), "linux.seccomp.defaultAction");
        yield return Case("notify as default", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/run/l.sock"}"""), "linux.seccomp.defaultAction");
        yield return Case("default errnoRet with allow", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1}"""), "linux.seccomp.defaultErrnoRet");
        yield return Case("unknown architecture", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_Z80"]}"""), "linux.seccomp.architectures[1]");
        yield return Case("unknown filter flag", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NOPE"]}"""), "linux.seccomp.flags[0]");
        yield return Case("syscall without names", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ERRNO"}]}"""), "linux.seccomp.syscalls[0].names");
        yield return Case("empty syscall name", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd",""],"action":"SCMP_ACT_ERRNO"}]}"""), "linux.seccomp.syscalls[0].names[1]");
        yield return Case("unknown syscall action", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"},{"names":["b"],"action":"SCMP_ACT_SOMETIMES"}]}"""), "linux.seccomp.syscalls[1].action");
        yield return Case("notify without listener", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_NOTIFY"}]}"""), "linux.seccomp.listenerPath");
        yield return Case("errnoRet with kill", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_KILL","errnoRet":1}]}"""), "linux.seccomp.syscalls[0].errnoRet");
        yield return Case("argument index 6", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"""), "linux.seccomp.syscalls[0].args[0].index");
        yield return Case("unknown operator", d => Seccomp(d, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}"""), "linux.seccomp.syscalls[0].args[1].op");
    }

    [Test]
    public void BaseDocument_IsValid() => Assert.That(RuntimeSpecJson.ParseSpec(Encoding.UTF8.GetBytes(Valid)).Hostname, Is.EqualTo("box"));

    [TestCaseSource(nameof(BrokenRules))]
    public void BrokenRule_NamesTheField(Action<JsonObject> edit, string expectedPath)
    {
        JsonObject document = JsonNode.Parse(Valid)!.AsObject();
        edit(document);
        byte[] bytes = RuntimeTestData.ToBytes(document);

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => RuntimeSpecJson.ParseSpec(bytes))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
        Assert.That(error.Problem, Is.Not.Empty);
    }

    [TestCase("1.0.0")]
    [TestCase("1.2.1-rc.1+dev")]
    [TestCase("1.0.2-dev")]
    public void SemVerVersions_Pass(string version)
    {
        JsonObject document = JsonNode.Parse(Valid)!.AsObject();
        document["ociVersion"] = version;

        Assert.That(RuntimeSpecJson.ParseSpec(RuntimeTestData.ToBytes(document)).OciVersion, Is.EqualTo(version));
    }

    [Test]
    public void BoundaryValues_Pass()
    {
        JsonObject document = JsonNode.Parse(Valid)!.AsObject();
        document["process"]!["oomScoreAdj"] = -1000;
        document["process"]!["user"]!["umask"] = 511;
        document["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"user","path":"/proc/1/ns/user"}"""));
        document["linux"]!["devices"] = Json("""[{"path":"/dev/fifo","type":"p"}]""");
        document["mounts"]![1]!["uidMappings"] = UserMappings.DeepClone();
        document["mounts"]![1]!["gidMappings"] = UserMappings.DeepClone();
        document["linux"]!["resources"] = Json("""{"memory":{"limit":-1,"swap":-1,"swappiness":100},"cpu":{"shares":0,"quota":-1,"period":1000000,"idle":1,"cpus":"0-3,7"},"pids":{"limit":-1},"blockIO":{"weight":10,"leafWeight":1000}}""");

        Spec spec = RuntimeSpecJson.ParseSpec(RuntimeTestData.ToBytes(document));

        Assert.That(spec.Linux!.Resources!.Cpu!.Cpus, Is.EqualTo("0-3,7"));
        Assert.That(spec.Linux.UidMappings, Is.Null, "joining a user namespace by path needs no mappings");
    }

    [Test]
    public void RuncSpec_Passes() => AssertGeneratedSpecPasses("runc", "spec");

    [Test]
    public void RuncSpecRootless_Passes()
    {
        Spec spec = AssertGeneratedSpecPasses("runc", "spec", "--rootless");

        Assert.That(spec.Linux!.Namespaces!.Select(n => n.Type), Does.Contain(LinuxNamespaceType.User));
        Assert.That(spec.Linux.GidMappings, Has.Count.EqualTo(1));
    }

    [Test]
    public void CrunSpec_Passes() => AssertGeneratedSpecPasses("crun", "spec");

    [Test]
    public void OversizeDocument_ParseSpec_ThrowsSizeLimit()
    {
        byte[] big = Oversize();

        SizeLimitExceededException error = Assert.Throws<SizeLimitExceededException>(() => RuntimeSpecJson.ParseSpec(big))!;

        Assert.That(error.Limit, Is.EqualTo(OciJson.DefaultMaxDocumentBytes));
    }

    [Test]
    public void OversizeDocument_ReadSpecAsync_ThrowsSizeLimit()
    {
        using MemoryStream stream = new(Oversize());

        SizeLimitExceededException error = Assert.ThrowsAsync<SizeLimitExceededException>(() => RuntimeSpecJson.ReadSpecAsync(stream))!;

        Assert.That(error.Limit, Is.EqualTo(OciJson.DefaultMaxDocumentBytes));
    }

    [Test]
    public async Task DocumentAtTheLimit_IsParsed()
    {
        byte[] document = Padded(OciJson.DefaultMaxDocumentBytes);
        using MemoryStream stream = new(document);

        Assert.That(RuntimeSpecJson.ParseSpec(document).Hostname, Is.EqualTo("box"));
        Assert.That((await RuntimeSpecJson.ReadSpecAsync(stream)).Hostname, Is.EqualTo("box"));
    }

    [Test]
    public void ReadSpecAsync_ValidatesToo()
    {
        JsonObject document = JsonNode.Parse(Valid)!.AsObject();
        document["linux"]!["namespaces"]!.AsArray().Add(Json("""{"type":"pid"}"""));
        using MemoryStream stream = new(RuntimeTestData.ToBytes(document));

        InvalidSpecException error = Assert.ThrowsAsync<InvalidSpecException>(() => RuntimeSpecJson.ReadSpecAsync(stream))!;

        Assert.That(error.JsonPath, Is.EqualTo("linux.namespaces[3].type"));
    }

    [Test]
    public async Task ReadSpecFileAsync_ReadsAFileAndFollowsASymlink()
    {
        using TempDirectory dir = new("rtspec-validator-");
        string file = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(file, Valid);
        string link = Path.Combine(dir.Path, "link.json");
        File.CreateSymbolicLink(link, file);

        Assert.That((await RuntimeSpecJson.ReadSpecFileAsync(file)).Hostname, Is.EqualTo("box"));
        Assert.That((await RuntimeSpecJson.ReadSpecFileAsync(link)).Hostname, Is.EqualTo("box"));
    }

    [Test]
    public void ReadSpecFileAsync_MissingFileAndDanglingSymlink_ThrowFileNotFound()
    {
        using TempDirectory dir = new("rtspec-validator-");
        string dangling = Path.Combine(dir.Path, "dangling.json");
        File.CreateSymbolicLink(dangling, Path.Combine(dir.Path, "nowhere.json"));

        Assert.ThrowsAsync<FileNotFoundException>(() => RuntimeSpecJson.ReadSpecFileAsync(Path.Combine(dir.Path, "config.json")));
        Assert.ThrowsAsync<FileNotFoundException>(() => RuntimeSpecJson.ReadSpecFileAsync(dangling));
    }

    [Test]
    public void ReadSpecFileAsync_Directory_ThrowsIOError()
    {
        using TempDirectory dir = new("rtspec-validator-");

        // .NET refuses to open a directory as a file with UnauthorizedAccessException (EISDIR).
        Assert.ThrowsAsync<UnauthorizedAccessException>(() => RuntimeSpecJson.ReadSpecFileAsync(dir.Path));
    }

    [Test]
    public async Task ReadSpecFileAsync_OversizeFile_ThrowsSizeLimit()
    {
        using TempDirectory dir = new("rtspec-validator-");
        string file = Path.Combine(dir.Path, "config.json");
        await File.WriteAllBytesAsync(file, Oversize());

        Assert.ThrowsAsync<SizeLimitExceededException>(() => RuntimeSpecJson.ReadSpecFileAsync(file));
    }

    [Test]
    public async Task ReadSpecFileAsync_WrongType_NamesTheField()
    {
        using TempDirectory dir = new("rtspec-validator-");
        string file = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(file, Valid.Replace("\"cwd\": \"/\"", "\"cwd\": 7", StringComparison.Ordinal));

        InvalidSpecException error = Assert.ThrowsAsync<InvalidSpecException>(() => RuntimeSpecJson.ReadSpecFileAsync(file))!;

        Assert.That(error.JsonPath, Is.EqualTo("process.cwd"));
        Assert.That(error.Problem, Is.EqualTo("expected string, got number"));
    }

    [Test]
    public async Task ReadSpecFileAsync_TruncatedJson_SaysMalformed()
    {
        using TempDirectory dir = new("rtspec-validator-");
        string file = Path.Combine(dir.Path, "config.json");
        await File.WriteAllTextAsync(file, Valid[..(Valid.Length / 2)]);

        InvalidSpecException error = Assert.ThrowsAsync<InvalidSpecException>(() => RuntimeSpecJson.ReadSpecFileAsync(file))!;

        Assert.That(error.Problem, Does.StartWith("malformed JSON"));
    }

    [Test]
    public void MissingRequiredNestedField_IsNamed()
    {
        string document = Valid.Replace("{ \"type\": \"pid\" }", "{ \"path\": \"/proc/1/ns/pid\" }", StringComparison.Ordinal);

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => RuntimeSpecJson.ParseSpec(Encoding.UTF8.GetBytes(document)))!;

        Assert.That(error.JsonPath, Is.EqualTo("linux.namespaces[0].type"));
        Assert.That(error.Problem, Is.EqualTo("required field is missing"));
    }

    private static Spec AssertGeneratedSpecPasses(string binary, params string[] args)
    {
        byte[] generated = RuntimeTestData.GenerateSpec(binary, args);
        Assert.DoesNotThrow(() => SpecValidator.Validate(RuntimeSpecJson.ParseSpec(generated)));
        return RuntimeSpecJson.ParseSpec(generated);
    }

    // A valid document grown with whitespace to exactly `size` bytes: the bound counts bytes, not fields.
    private static byte[] Padded(int size)
    {
        byte[] core = Encoding.UTF8.GetBytes(Valid);
        byte[] padded = new byte[size];
        Array.Fill(padded, (byte)' ');
        core.CopyTo(padded, 0);
        return padded;
    }

    private static byte[] Oversize() => Padded(OciJson.DefaultMaxDocumentBytes + 1);

    private static TestCaseData Case(string name, Action<JsonObject> edit, string path) =>
        new TestCaseData(edit, path).SetName("BrokenRule_NamesTheField(" + name + ")");

    private static JsonNode Json(string json) => JsonNode.Parse(json)!;

    private static JsonObject Resources(JsonObject document) =>
        (document["linux"]!["resources"] ??= new JsonObject()).AsObject();

    private static void Seccomp(JsonObject document, string seccomp) => document["linux"]!["seccomp"] = Json(seccomp);
}
