using System.Text;
using Containers.Oci;
using Containers.Runc.State;

namespace Containers.Linux.Tests.Runc;

/// <summary>The state.json records the writer and reader tests start from, and the serializer's text of one.</summary>
internal static class ContainerRecordSamples
{
    /// <summary>A record with the required fields, a pid and a creation time with ticks; no annotations, cgroup or resources.</summary>
    public static ContainerRecord Plain() => new()
    {
        Id = "c1",
        OciVersion = "1.2.0",
        Pid = 4242,
        PidStartTime = 123456789012UL,
        Bundle = "/tmp/bundle",
        Rootfs = "/tmp/bundle/rootfs",
        Created = new DateTime(2026, 11, 29, 10, 15, 30, DateTimeKind.Utc).AddTicks(1234567),
    };

    /// <summary>The record as the source-generated serializer writes it.</summary>
    public static string Serialized(ContainerRecord record) => Encoding.UTF8.GetString(OciJson.SerializeToUtf8Bytes(record, RuncsJsonContext.Default.ContainerRecord));
}
