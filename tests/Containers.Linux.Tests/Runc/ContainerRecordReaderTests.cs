using System.Text;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runcs's hand-written state.json reader against the source-generated serializer: what the writer writes reads back to
/// the serializer's values, and anything else is left to the serializer (which reads it or reports it as before).
/// </summary>
public sealed class ContainerRecordReaderTests
{
    [Test]
    public void WhatTheWriterWritesReadsAsTheSerializerReadsIt()
    {
        foreach (ContainerRecord record in Records())
        {
            byte[] json = ContainerRecordWriter.Write(record);
            ContainerRecord? fast = ContainerRecordReader.TryRead(json);

            Assert.That(fast, Is.Not.Null, Encoding.UTF8.GetString(json));
            Assert.That(ContainerRecordSamples.Serialized(fast!), Is.EqualTo(ContainerRecordSamples.Serialized(OciJson.Deserialize(json, RuncsJsonContext.Default.ContainerRecord))));
            Assert.That(fast!.Created.Kind, Is.EqualTo(record.Created.Kind));
        }
    }

    [Test]
    public void CompactAndReorderedJsonWithNullsReadsAsTheSerializerReadsIt()
    {
        byte[] json = """
            {"rootfs":"/r","resources":{"unified":null,"pids":{"limit":3},"memory":{"limit":null,"swap":-1},"cpu":null,"devices":null},
             "id":"c","bundle":"/b","annotations":{"a":"1","a":"2"},"ociVersion":"1.2.0","cgroupPath":null,"created":"2026-11-30T07:30:00+01:00"}
            """u8.ToArray();

        ContainerRecord? fast = ContainerRecordReader.TryRead(json);

        Assert.That(fast, Is.Not.Null);
        Assert.That(ContainerRecordSamples.Serialized(fast!), Is.EqualTo(ContainerRecordSamples.Serialized(OciJson.Deserialize(json, RuncsJsonContext.Default.ContainerRecord))));
    }

    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","extra":1}""", TestName = "an unknown field")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","resources":{"blockIO":{"weight":10}}}""", TestName = "resources the writer does not write")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","resources":{"memory":{"limit":1,"x":2}}}""", TestName = "an extension field in memory")]
    public void AnythingElseIsLeftToTheSerializerWhichReadsIt(string text)
    {
        byte[] json = Encoding.UTF8.GetBytes(text);

        Assert.That(ContainerRecordReader.TryRead(json), Is.Null);
        Assert.That(ContainerRecordSamples.Serialized(ContainerRecordReader.Read(json)), Is.EqualTo(ContainerRecordSamples.Serialized(OciJson.Deserialize(json, RuncsJsonContext.Default.ContainerRecord))));
    }

    [TestCase("""{"ociVersion":"1","bundle":"/b","rootfs":"/r"}""", TestName = "a required field missing")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","pid":"1"}""", TestName = "a number as a string")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","annotations":{"a":1}}""", TestName = "an annotation that is not a string")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r"} x""", TestName = "trailing text")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r",""", TestName = "truncated")]
    [TestCase("""[]""", TestName = "not an object")]
    [TestCase("""{"id":"c","ociVersion":"1","bundle":"/b","rootfs":"/r","resources":{"devices":[{"access":"rwm"}]}}""", TestName = "a device without allow")]
    public void MalformedRecordsAreReportedAsTheSerializerReportsThem(string text)
    {
        byte[] json = Encoding.UTF8.GetBytes(text);

        Assert.That(ContainerRecordReader.TryRead(json), Is.Null);
        InvalidSpecException? serializer = Assert.Throws<InvalidSpecException>(() => OciJson.Deserialize(json, RuncsJsonContext.Default.ContainerRecord));
        InvalidSpecException? reader = Assert.Throws<InvalidSpecException>(() => ContainerRecordReader.Read(json));
        Assert.That(reader!.Message, Is.EqualTo(serializer!.Message));
    }

    private static IEnumerable<ContainerRecord> Records()
    {
        ContainerRecord plain = ContainerRecordSamples.Plain();
        yield return plain;

        ContainerRecord full = ContainerRecordSamples.Plain();
        full.Annotations = new Dictionary<string, string> { ["org.example/a"] = "1", ["\u00e9\"<"] = "line\nbreak" };
        full.CgroupPath = "/containers-dotnet/c1";
        full.Resources = new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 136, Minor = -1, Access = "rwm" },
            ],
            Memory = new LinuxMemory
            {
                Limit = 536870912, Reservation = 1, Swap = -1, Kernel = 2, KernelTcp = 3, Swappiness = 60, DisableOomKiller = true,
                UseHierarchy = false, CheckBeforeUpdate = true,
            },
            Cpu = new LinuxCpu
            {
                Shares = 1024, Quota = 50000, Burst = 5, Period = 100000, RealtimeRuntime = 7, RealtimePeriod = 8, Cpus = "0-1", Mems = "0", Idle = 0,
            },
            Pids = new LinuxPids { Limit = 100 },
            Unified = new Dictionary<string, string> { ["memory.high"] = "max" },
        };
        yield return full;

        ContainerRecord local = ContainerRecordSamples.Plain();
        local.Created = new DateTime(2026, 11, 30, 8, 0, 0, DateTimeKind.Local);
        local.Resources = new LinuxResources();
        yield return local;
    }
}
