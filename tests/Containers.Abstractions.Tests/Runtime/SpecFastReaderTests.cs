using System.Text;
using System.Text.Json.Nodes;
using Containers.Oci;
using Containers.Oci.Runtime;

namespace Containers.Abstractions.Tests.Runtime;

/// <summary>
/// The hand-written config.json reader against the source-generated serializer, which is its reference: on
/// every document it reads, the two specs serialise to the same bytes; every document outside its subset is
/// left to the serializer (null), so results and errors stay the serializer's.
/// </summary>
public sealed class SpecFastReaderTests
{
    [Test]
    public void RuncSpec_ReadFast_SameAsSerializer() => AssertSameAsSerializer(RuntimeTestData.GenerateSpec("runc", "spec"));

    [Test]
    public void RuncSpecRootless_ReadFast_SameAsSerializer() => AssertSameAsSerializer(RuntimeTestData.GenerateSpec("runc", "spec", "--rootless"));

    [Test]
    public void CrunSpec_ReadFast_SameAsSerializer() => AssertSameAsSerializer(RuntimeTestData.GenerateSpec("crun", "spec"));

    [Test]
    public void EveryHandledField_ReadFast_SameAsSerializer()
    {
        JsonObject config = JsonNode.Parse(RuntimeTestData.GenerateSpec("runc", "spec", "--rootless"))!.AsObject();
        config["domainname"] = "example.org";
        config["annotations"] = new JsonObject { ["a"] = "1", ["b\u00e9"] = "x\ny" };
        JsonObject process = config["process"]!.AsObject();
        process["consoleSize"] = new JsonObject { ["height"] = 24, ["width"] = 80 };
        process["user"] = new JsonObject { ["uid"] = 1000, ["gid"] = 4294967295, ["umask"] = 18, ["additionalGids"] = new JsonArray(5, 6), ["username"] = "u" };
        process["commandLine"] = "cmd";
        process["oomScoreAdj"] = -1000;
        process["apparmorProfile"] = "p";
        process["selinuxLabel"] = "l";
        process["capabilities"]!["ambient"] = new JsonArray("CAP_KILL");
        config["root"]!["readonly"] = false;
        config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/idmapped", ["type"] = "bind", ["source"] = "/tmp", ["options"] = new JsonArray("rbind", "idmap"),
            ["uidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 }),
            ["gidMappings"] = new JsonArray(new JsonObject { ["containerID"] = 0, ["hostID"] = 100000, ["size"] = 65536 }),
        });
        JsonObject linux = config["linux"]!.AsObject();
        linux["sysctl"] = new JsonObject { ["net.ipv4.ip_forward"] = "1" };
        linux["cgroupsPath"] = "/a/b";
        linux["rootfsPropagation"] = "rslave";
        linux["mountLabel"] = "m";
        linux["devices"] = new JsonArray(new JsonObject { ["path"] = "/dev/fuse", ["type"] = "c", ["major"] = 10, ["minor"] = 229, ["fileMode"] = 438, ["uid"] = 0, ["gid"] = 0 });
        linux["resources"] = new JsonObject
        {
            ["devices"] = new JsonArray(
                new JsonObject { ["allow"] = false, ["access"] = "rwm" },
                new JsonObject { ["allow"] = true, ["type"] = "c", ["major"] = 10, ["minor"] = -1, ["access"] = "rw" }),
            ["memory"] = new JsonObject
            {
                ["limit"] = 536870912, ["reservation"] = 1, ["swap"] = -1, ["kernel"] = 2, ["kernelTCP"] = 3, ["swappiness"] = 60,
                ["disableOOMKiller"] = true, ["useHierarchy"] = false, ["checkBeforeUpdate"] = true,
            },
            ["cpu"] = new JsonObject
            {
                ["shares"] = 1024, ["quota"] = 50000, ["burst"] = 0, ["period"] = 100000, ["realtimeRuntime"] = 1, ["realtimePeriod"] = 2,
                ["cpus"] = "0-1", ["mems"] = "0", ["idle"] = 0,
            },
            ["pids"] = new JsonObject { ["limit"] = 100 },
            ["unified"] = new JsonObject { ["memory.high"] = "max" },
        };

        Spec fast = AssertSameAsSerializer(Encoding.UTF8.GetBytes(config.ToJsonString()));

        Assert.That(fast.Linux!.Resources!.Memory!.Swap, Is.EqualTo(-1L));
        Assert.That(fast.Process!.User!.Gid, Is.EqualTo(uint.MaxValue));
        Assert.That(fast.Annotations!["b\u00e9"], Is.EqualTo("x\ny"));
    }

    [TestCase("config-example.json")]
    [TestCase("config-valid-full.json")]
    public void FieldsOutsideTheSubset_LeftToSerializer(string name)
    {
        byte[] document = RuntimeTestData.Read(name);

        Assert.That(SpecFastReader.TryRead(document), Is.Null);
        Assert.That(RuntimeSpecJson.Serialize(RuntimeSpecJson.ParseSpec(document)), Is.EqualTo(RuntimeSpecJson.Serialize(Serializer(document))));
    }

    [TestCase("\"hostname\": null", TestName = "Null")]
    [TestCase("\"unknownField\": {\"x\": 1}", TestName = "UnknownField")]
    [TestCase("\"hostname\": 5", TestName = "WrongTokenType")]
    [TestCase("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}", TestName = "NegativeUid")]
    [TestCase("\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 1.5, \"gid\": 0}}", TestName = "FractionalUid")]
    [TestCase("\"process\": {\"cwd\": \"/\", \"oomScoreAdj\": 2147483648}", TestName = "OutOfRange")]
    [TestCase("\"process\": {\"args\": [\"true\"]}", TestName = "MissingRequiredCwd")]
    [TestCase("\"annotations\": {\"a\": \"1\", \"a\": \"2\"}", TestName = "RepeatedMapKey")]
    [TestCase("\"hooks\": {}", TestName = "Hooks")]
    [TestCase("\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}", TestName = "Seccomp")]
    public void OutsideTheSubset_TryReadReturnsNull(string member)
    {
        byte[] document = Encoding.UTF8.GetBytes("{\"ociVersion\": \"1.2.0\", " + member + "}");

        Assert.That(SpecFastReader.TryRead(document), Is.Null);
    }

    [TestCase("{\"ociVersion\": \"1.2.0\"} {}", TestName = "TrailingData")]
    [TestCase("{\"ociVersion\": \"1.2.0\", /* c */ \"hostname\": \"h\"}", TestName = "Comment")]
    [TestCase("{\"ociVersion\": \"1.2.0\", \"hostname\": \"h\",}", TestName = "TrailingComma")]
    [TestCase("{\"hostname\": \"h\"}", TestName = "MissingOciVersion")]
    [TestCase("[]", TestName = "NotAnObject")]
    [TestCase("{\"ociVersion\": \"1.2.0\"", TestName = "Truncated")]
    public void MalformedOrIncomplete_TryReadReturnsNull_SerializerNamesTheError(string document)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(document);

        Assert.That(SpecFastReader.TryRead(bytes), Is.Null);
        Assert.Throws<InvalidSpecException>(() => RuntimeSpecJson.ParseSpec(bytes));
    }

    [Test]
    public void BadValueInHandledField_ErrorIsTheSerializers()
    {
        byte[] document = Encoding.UTF8.GetBytes("{\"ociVersion\": \"1.2.0\", \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": \"root\", \"gid\": 0}}}");

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => RuntimeSpecJson.ParseSpec(document))!;

        Assert.That(error.JsonPath, Is.EqualTo("process.user.uid"));
    }

    private static Spec AssertSameAsSerializer(byte[] document)
    {
        Spec? fast = SpecFastReader.TryRead(document);

        Assert.That(fast, Is.Not.Null, "the document is in the fast reader's subset");
        Assert.That(Encoding.UTF8.GetString(RuntimeSpecJson.Serialize(fast!)), Is.EqualTo(Encoding.UTF8.GetString(RuntimeSpecJson.Serialize(Serializer(document)))));
        return fast!;
    }

    private static Spec Serializer(byte[] document) => OciJson.Deserialize(document, RuntimeSpecJsonContext.Default.Spec);
}
