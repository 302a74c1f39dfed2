using System.Buffers;
using System.Text.Json;
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
        if (resources.Devices is { } devices)
        {
            writer.WriteStartArray("devices"u8);
            foreach (LinuxDeviceCgroup device in devices)
            {
                writer.WriteStartObject();
                writer.WriteBoolean("allow"u8, device.Allow);
                WriteIfSet(writer, "type"u8, device.Type);
                WriteIfSet(writer, "major"u8, device.Major);
                WriteIfSet(writer, "minor"u8, device.Minor);
                WriteIfSet(writer, "access"u8, device.Access);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (resources.Memory is { } memory)
        {
            writer.WriteStartObject("memory"u8);
            WriteIfSet(writer, "limit"u8, memory.Limit);
            WriteIfSet(writer, "reservation"u8, memory.Reservation);
            WriteIfSet(writer, "swap"u8, memory.Swap);
            WriteIfSet(writer, "kernel"u8, memory.Kernel);
            WriteIfSet(writer, "kernelTCP"u8, memory.KernelTcp);
            WriteIfSet(writer, "swappiness"u8, memory.Swappiness);
            WriteIfSet(writer, "disableOOMKiller"u8, memory.DisableOomKiller);
            WriteIfSet(writer, "useHierarchy"u8, memory.UseHierarchy);
            WriteIfSet(writer, "checkBeforeUpdate"u8, memory.CheckBeforeUpdate);
            writer.WriteEndObject();
        }

        if (resources.Cpu is { } cpu)
        {
            writer.WriteStartObject("cpu"u8);
            WriteIfSet(writer, "shares"u8, cpu.Shares);
            WriteIfSet(writer, "quota"u8, cpu.Quota);
            WriteIfSet(writer, "burst"u8, cpu.Burst);
            WriteIfSet(writer, "period"u8, cpu.Period);
            WriteIfSet(writer, "realtimeRuntime"u8, cpu.RealtimeRuntime);
            WriteIfSet(writer, "realtimePeriod"u8, cpu.RealtimePeriod);
            WriteIfSet(writer, "cpus"u8, cpu.Cpus);
            WriteIfSet(writer, "mems"u8, cpu.Mems);
            WriteIfSet(writer, "idle"u8, cpu.Idle);
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

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is long number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is ulong number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is bool flag)
        {
            writer.WriteBoolean(name, flag);
        }
    }
}
