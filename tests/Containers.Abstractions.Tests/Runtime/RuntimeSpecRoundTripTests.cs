using System.Text;
using System.Text.Json.Nodes;
using Containers.Oci.Runtime;

namespace Containers.Abstractions.Tests.Runtime;

/// <summary>
/// Parse → serialize → parse of real documents. JsonNode.DeepEquals against the original proves no
/// field is lost or invented; comparing the two serializations proves the writer is stable.
/// </summary>
public sealed class RuntimeSpecRoundTripTests
{
    [Test]
    public void RuncSpec_RoundTripsWithoutLoss()
    {
        Spec spec = AssertSpecRoundTrip(RuntimeTestData.GenerateSpec("runc", "spec"));

        Assert.That(spec.Process!.Capabilities!.Bounding, Does.Contain(LinuxCapability.Kill));
        Assert.That(spec.Linux!.Namespaces!.Select(n => n.Type), Does.Contain(LinuxNamespaceType.Network));
        Assert.That(spec.Linux.UidMappings, Is.Null);
    }

    [Test]
    public void RuncSpecRootless_RoundTripsWithoutLoss()
    {
        Spec spec = AssertSpecRoundTrip(RuntimeTestData.GenerateSpec("runc", "spec", "--rootless"));

        Assert.That(spec.Linux!.Namespaces!.Select(n => n.Type), Does.Contain(LinuxNamespaceType.User));
        Assert.That(spec.Linux.UidMappings, Has.Count.EqualTo(1));
        Assert.That(spec.Linux.UidMappings![0].Size, Is.EqualTo(1u));
    }

    [Test]
    public void CrunSpec_RoundTripsWithoutLoss()
    {
        Spec spec = AssertSpecRoundTrip(RuntimeTestData.GenerateSpec("crun", "spec"));

        Assert.That(spec.Hostname, Is.EqualTo("crun"));
        Assert.That(spec.Linux!.Resources!.Devices![0].Allow, Is.False);
    }

    [Test]
    public void RuntimeSpecConfigExample_RoundTripsWithoutLoss()
    {
        Spec spec = AssertSpecRoundTrip(RuntimeTestData.Read("config-example.json"));

        Assert.That(spec.Linux!.Resources!.HugepageLimits![0].Limit, Is.EqualTo(9223372036854772000UL));
        Assert.That(spec.Linux.Resources.BlockIO!.WeightDevice![0].LeafWeight, Is.EqualTo((ushort)300));
        Assert.That(spec.Linux.Resources.BlockIO.ThrottleWriteIopsDevice![0].Rate, Is.EqualTo(300UL));
        Assert.That(spec.Linux.TimeOffsets!["boottime"].Secs, Is.EqualTo(604800L));
        Assert.That(spec.Hooks!.Poststart![0].Timeout, Is.EqualTo(5));
        Assert.That(spec.Process!.IOPriority!.Class, Is.EqualTo(IOPriorityClass.Idle));
    }

    [Test]
    public void FullValidDocument_RoundTripsWithoutLoss()
    {
        Spec spec = AssertSpecRoundTrip(RuntimeTestData.Read("config-valid-full.json"));

        LinuxSeccompArg masked = spec.Linux!.Seccomp!.Syscalls![1].Args![1];
        Assert.That(masked.ValueTwo, Is.EqualTo(8UL));
        Assert.That(masked.Op, Is.EqualTo(SeccompOperator.MaskedEqual));
        Assert.That(spec.Process!.ExecCpuAffinity!.Final, Is.EqualTo("0-1"));
        Assert.That(spec.Process.User!.Umask, Is.EqualTo(18u));
        Assert.That(spec.Mounts![2].UidMappings![0].HostId, Is.EqualTo(100000u));
        Assert.That(spec.Linux.Resources!.Rdma!["mlx5_1"].HcaObjects, Is.EqualTo(10000u));
        Assert.That(spec.Linux.Devices![1].Major, Is.Null);
    }

    [Test]
    public void StateExample_RoundTripsWithoutLoss()
    {
        byte[] original = RuntimeTestData.Read("state-example.json");
        State state = RuntimeSpecJson.ParseState(original);
        byte[] written = RuntimeSpecJson.Serialize(state);

        AssertSameJson(original, written);
        Assert.That(state.Pid, Is.EqualTo(4422));
        Assert.That(state.Status, Is.EqualTo(ContainerStatus.Running));
    }

    [Test]
    public void FeaturesExample_RoundTripsWithoutLoss()
    {
        Features features = AssertFeaturesRoundTrip(RuntimeTestData.Read("features-example.json"));

        Assert.That(features.Linux!.Capabilities, Is.EqualTo(LinuxCapability.All));
        Assert.That(features.Linux.Seccomp!.Actions!.All(SeccompAction.IsKnown), Is.True);
        Assert.That(features.Linux.Cgroup!.SystemdUser, Is.True);
    }

    [Test]
    public void RuncFeatures_RoundTripsWithoutLoss()
    {
        Features features = AssertFeaturesRoundTrip(RuntimeTestData.CaptureOutput("runc", "features"));

        Assert.That(features.Linux!.Namespaces!.All(LinuxNamespaceType.IsKnown), Is.True);
        Assert.That(features.Linux.Capabilities!.All(LinuxCapability.IsKnown), Is.True);
        Assert.That(features.Linux.Seccomp!.Archs!.All(SeccompArchitecture.IsKnown), Is.True);
        Assert.That(features.Linux.Seccomp.Operators!.All(SeccompOperator.IsKnown), Is.True);
    }

    [Test]
    public void UnknownFields_AtTopLevelAndNested_SurviveRoundTrip()
    {
        JsonObject document = RuntimeTestData.ReadObject("config-valid-full.json");
        document["windows"] = JsonNode.Parse("""{"layerFolders":["C:\\layers\\1"],"hyperv":{}}""");
        document["solaris"] = JsonNode.Parse("""{"milestone":"svc:/milestone/container:default"}""");
        document["org.example.future"] = JsonNode.Parse("[1, {\"x\": null}]");
        document["process"]!["futureFlag"] = true;
        document["linux"]!["netDevices"] = JsonNode.Parse("""{"eth0":{"name":"ctr0"}}""");
        document["linux"]!["resources"]!["memory"]!["futureLimit"] = 7;
        document["linux"]!["intelRdt"]!["schemata"] = JsonNode.Parse("""["L3:0=f"]""");

        Spec spec = AssertSpecRoundTrip(RuntimeTestData.ToBytes(document));

        Assert.That(spec.ExtensionData!.Keys, Is.EquivalentTo(new[] { "windows", "solaris", "org.example.future" }));
        Assert.That(spec.Linux!.ExtensionData!.ContainsKey("netDevices"), Is.True);
    }

    private static Spec AssertSpecRoundTrip(byte[] original)
    {
        Spec spec = RuntimeSpecJson.ParseSpec(original);
        byte[] written = RuntimeSpecJson.Serialize(spec);
        AssertSameJson(original, written);
        byte[] writtenAgain = RuntimeSpecJson.Serialize(RuntimeSpecJson.ParseSpec(written));
        Assert.That(Encoding.UTF8.GetString(writtenAgain), Is.EqualTo(Encoding.UTF8.GetString(written)));
        return spec;
    }

    private static Features AssertFeaturesRoundTrip(byte[] original)
    {
        Features features = RuntimeSpecJson.ParseFeatures(original);
        AssertSameJson(original, RuntimeSpecJson.Serialize(features));
        return features;
    }

    private static void AssertSameJson(byte[] original, byte[] written)
    {
        JsonNode? expected = JsonNode.Parse(original);
        JsonNode? actual = JsonNode.Parse(written);
        Assert.That(JsonNode.DeepEquals(expected, actual), Is.True, () => $"round trip changed the document.\nOriginal:\n{expected}\nWritten:\n{actual}");
    }
}
