using System.Buffers;
using System.Text.Json;
using Containers.Linux.Json;
using Containers.Oci;
using Containers.Oci.Runtime;

namespace Containers.Runc.State;

/// <summary>
/// Writes state.json. Through System.Text.Json, the first save in a process built the metadata of
/// <see cref="ContainerRecord"/> and of the LinuxResources tree (about 2 ms of every create and run under NativeAOT);
/// this writer produces the same bytes with a <see cref="Utf8JsonWriter"/> for the resources runcs's own configs
/// carry (devices, memory, cpu, pids, unified) and leaves any other record to the serializer. Tests compare the
/// two byte for byte, so a property added to <see cref="ContainerRecord"/> fails them until it is written here too.
/// </summary>
internal static class ContainerRecordWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, IndentSize = 2 };

    /// <summary>The record as state.json.</summary>
    public static byte[] Write(ContainerRecord record)
        => TryWrite(record) ?? OciJson.SerializeToUtf8Bytes(record, RuncsJsonContext.Default.ContainerRecord);

    /// <summary>The record as the serializer writes it, or null when it holds resources this writer leaves to the serializer.</summary>
    internal static byte[]? TryWrite(ContainerRecord record)
    {
        if (record.Resources is LinuxResources given && !IsWritable(given))
        {
            return null;
        }

        // Plain ASCII strings (the usual case) are written without building the default encoder's
        // tables; if any string needs escaping the record is written again with the default encoder.
        PlainAsciiJsonEncoder plain = new();
        byte[] bytes = Write(record, new JsonWriterOptions { Indented = true, IndentSize = 2, Encoder = plain });
        return plain.EscapingNeeded ? Write(record, Indented) : bytes;
    }

    private static byte[] Write(ContainerRecord record, JsonWriterOptions options)
    {
        ArrayBufferWriter<byte> buffer = new(2048);
        using (Utf8JsonWriter writer = new(buffer, options))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, record.Id);
            writer.WriteString("ociVersion"u8, record.OciVersion);
            writer.WriteNumber("pid"u8, record.Pid);
            writer.WriteNumber("pidStartTime"u8, record.PidStartTime);
            writer.WriteString("bundle"u8, record.Bundle);
            writer.WriteString("rootfs"u8, record.Rootfs);
            writer.WriteString("created"u8, record.Created);
            writer.WritePropertyName("annotations"u8);
            WriteMap(writer, record.Annotations);
            writer.WritePropertyName("cgroupPath"u8);
            if (record.CgroupPath is string cgroupPath)
            {
                writer.WriteStringValue(cgroupPath);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WritePropertyName("resources"u8);
            if (record.Resources is LinuxResources resources)
            {
                WriteResources(writer, resources);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Only the fields written below, and no unknown (extension) fields anywhere.</summary>
    private static bool IsWritable(LinuxResources resources)
        => resources is { BlockIO: null, HugepageLimits: null, Network: null, Rdma: null, ExtensionData: null }
            && (resources.Devices?.All(d => d.ExtensionData is null) ?? true)
            && resources.Memory?.ExtensionData is null
            && resources.Cpu?.ExtensionData is null
            && resources.Pids?.ExtensionData is null;

    // LinuxResources as the runtime-spec context writes it: declaration order, null members left out.
    private static void WriteResources(Utf8JsonWriter writer, LinuxResources resources)
    {
        writer.WriteStartObject();
        writer.WriteArrayIfSet("devices"u8, resources.Devices, static (w, device) =>
        {
            w.WriteStartObject();
            w.WriteBoolean("allow"u8, device.Allow);
            w.WriteIfSet("type"u8, device.Type);
            w.WriteIfSet("major"u8, device.Major);
            w.WriteIfSet("minor"u8, device.Minor);
            w.WriteIfSet("access"u8, device.Access);
            w.WriteEndObject();
        });

        if (resources.Memory is { } memory)
        {
            writer.WriteStartObject("memory"u8);
            writer.WriteIfSet("limit"u8, memory.Limit);
            writer.WriteIfSet("reservation"u8, memory.Reservation);
            writer.WriteIfSet("swap"u8, memory.Swap);
            writer.WriteIfSet("kernel"u8, memory.Kernel);
            writer.WriteIfSet("kernelTCP"u8, memory.KernelTcp);
            writer.WriteIfSet("swappiness"u8, memory.Swappiness);
            writer.WriteIfSet("disableOOMKiller"u8, memory.DisableOomKiller);
            writer.WriteIfSet("useHierarchy"u8, memory.UseHierarchy);
            writer.WriteIfSet("checkBeforeUpdate"u8, memory.CheckBeforeUpdate);
            writer.WriteEndObject();
        }

        if (resources.Cpu is { } cpu)
        {
            writer.WriteStartObject("cpu"u8);
            writer.WriteIfSet("shares"u8, cpu.Shares);
            writer.WriteIfSet("quota"u8, cpu.Quota);
            writer.WriteIfSet("burst"u8, cpu.Burst);
            writer.WriteIfSet("period"u8, cpu.Period);
            writer.WriteIfSet("realtimeRuntime"u8, cpu.RealtimeRuntime);
            writer.WriteIfSet("realtimePeriod"u8, cpu.RealtimePeriod);
            writer.WriteIfSet("cpus"u8, cpu.Cpus);
            writer.WriteIfSet("mems"u8, cpu.Mems);
            writer.WriteIfSet("idle"u8, cpu.Idle);
            writer.WriteEndObject();
        }

        if (resources.Pids is { } pids)
        {
            writer.WriteStartObject("pids"u8);
            writer.WriteNumber("limit"u8, pids.Limit);
            writer.WriteEndObject();
        }

        if (resources.Unified is { } unified)
        {
            writer.WritePropertyName("unified"u8);
            WriteMap(writer, unified);
        }

        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, IDictionary<string, string>? map)
    {
        if (map is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        foreach ((string key, string value) in map)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}
