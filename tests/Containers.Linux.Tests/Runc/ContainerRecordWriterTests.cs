using System.Text;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Linux.Tests.Runc;

/// <summary>runcs's hand-written state.json writer against the source-generated serializer: the same bytes, or the serializer.</summary>
public sealed class ContainerRecordWriterTests
{
    [Test]
    public void RecordWithoutOptionalFields_SameBytesAsSerializer()
    {
        ContainerRecord record = ContainerRecordSamples.Plain();

        AssertSameAsSerializer(record);
    }

    [Test]
    public void RecordWithResourcesAndAnnotations_SameBytesAsSerializer()
    {
        ContainerRecord record = ContainerRecordSamples.Plain();
        record.Annotations = new Dictionary<string, string> { ["org.example/a"] = "1", ["\u00e9\"<"] = "line\nbreak" };
        record.CgroupPath = "/containers-dotnet/c1";
        record.Resources = new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 136, Minor = -1, Access = "rwm" },
            ],
            Memory = new LinuxMemory { Limit = 536870912, Swap = -1, Swappiness = 60, DisableOomKiller = true, UseHierarchy = false },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50000, Period = 100000, Cpus = "0-1", Mems = "0", Idle = 0 },
            Pids = new LinuxPids { Limit = 100 },
            Unified = new Dictionary<string, string> { ["memory.high"] = "max" },
        };

        AssertSameAsSerializer(record);
    }

    [Test]
    public void EveryAsciiCharacterAndSomeOthers_SameBytesAsSerializer()
    {
        // The writer skips the default encoder for text it judges plain; one character it misjudged
        // would be written unescaped (or escaped differently) here.
        for (int c = 0; c < 0x100; c++)
        {
            ContainerRecord record = ContainerRecordSamples.Plain();
            record.Id = "a" + (char)c + "b";
            record.Annotations = new Dictionary<string, string> { ["k" + (char)c] = (char)c + "v" };
            AssertSameAsSerializer(record);
        }

        ContainerRecord other = ContainerRecordSamples.Plain();
        other.Bundle = "/b/\u00e9\u2028\U0001F600";
        other.Rootfs = "r\u007f\u0085";
        AssertSameAsSerializer(other);
    }

    [Test]
    public void RecordWithResourcesOutsideTheWriter_LeftToSerializer()
    {
        ContainerRecord record = ContainerRecordSamples.Plain();
        record.Resources = new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 10 } };

        Assert.That(ContainerRecordWriter.TryWrite(record), Is.Null);
        Assert.That(Encoding.UTF8.GetString(ContainerRecordWriter.Write(record)), Is.EqualTo(ContainerRecordSamples.Serialized(record)));
    }

    [Test]
    public void WrittenRecord_ReadsBackTheSameValues()
    {
        ContainerRecord record = ContainerRecordSamples.Plain();
        record.CgroupPath = "/x";
        record.Resources = new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }], Pids = new LinuxPids { Limit = 7 } };

        ContainerRecord read = OciJson.Deserialize(ContainerRecordWriter.Write(record), RuncsJsonContext.Default.ContainerRecord);

        Assert.That(read.Created, Is.EqualTo(record.Created));
        Assert.That(read.PidStartTime, Is.EqualTo(record.PidStartTime));
        Assert.That(read.Resources!.Pids!.Limit, Is.EqualTo(7));
        Assert.That(ContainerRecordSamples.Serialized(read), Is.EqualTo(ContainerRecordSamples.Serialized(record)));
    }


    private static void AssertSameAsSerializer(ContainerRecord record)
    {
        byte[]? written = ContainerRecordWriter.TryWrite(record);

        Assert.That(written, Is.Not.Null);
        Assert.That(Encoding.UTF8.GetString(written!), Is.EqualTo(ContainerRecordSamples.Serialized(record)));
    }
}
