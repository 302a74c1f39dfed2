using System.Text.Json;
using Containers.Linux.Json;
using Containers.Oci;
using Containers.Oci.Runtime;

namespace Containers.Runc.State;

/// <summary>
/// Reads state.json: the counterpart of <see cref="ContainerRecordWriter"/>. Through System.Text.Json the first load in
/// a process built the metadata of <see cref="ContainerRecord"/> (its dictionary converter above all), about 1.5 ms of
/// the delete in a fresh shim under NativeAOT. This reader takes what the writer writes — the record's fields and the
/// resources runcs's own configs carry — with a <see cref="Utf8JsonReader"/>, and leaves anything else (an unknown
/// field, a missing required one, a wrong type) to the serializer, which reads it or reports it as before. Tests hold
/// its results to the serializer's.
/// </summary>
internal static class ContainerRecordReader
{
    /// <summary>The record in <paramref name="json"/>.</summary>
    /// <exception cref="InvalidSpecException">Malformed, as the serializer (<see cref="OciJson"/>) reports it.</exception>
    public static ContainerRecord Read(byte[] json)
        => TryRead(json) ?? OciJson.Deserialize(json, RuncsJsonContext.Default.ContainerRecord);

    /// <summary>The record, or <see langword="null"/> when it holds anything this reader leaves to the serializer.</summary>
    internal static ContainerRecord? TryRead(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadRecord(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static ContainerRecord? ReadRecord(ReadOnlySpan<byte> json)
    {
        Utf8JsonReader reader = new(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        string? id = null, ociVersion = null, bundle = null, rootfs = null, cgroupPath = null;
        int pid = 0;
        ulong pidStartTime = 0;
        DateTime created = default;
        Dictionary<string, string>? annotations = null;
        LinuxResources? resources = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) { id = reader.NextString(); }
            else if (reader.ValueTextEquals("ociVersion"u8)) { ociVersion = reader.NextString(); }
            else if (reader.ValueTextEquals("pid"u8)) { pid = reader.NextInt32(); }
            else if (reader.ValueTextEquals("pidStartTime"u8)) { pidStartTime = reader.NextUInt64(); }
            else if (reader.ValueTextEquals("bundle"u8)) { bundle = reader.NextString(); }
            else if (reader.ValueTextEquals("rootfs"u8)) { rootfs = reader.NextString(); }
            else if (reader.ValueTextEquals("created"u8)) { created = Next(ref reader).GetDateTime(); }
            else if (reader.ValueTextEquals("annotations"u8)) { annotations = Map(ref reader); }
            else if (reader.ValueTextEquals("cgroupPath"u8)) { cgroupPath = reader.NextString(); }
            else if (reader.ValueTextEquals("resources"u8))
            {
                if (Next(ref reader).TokenType != JsonTokenType.Null && (resources = Resources(ref reader)) is null)
                {
                    return null;
                }
            }
            else
            {
                return null;
            }
        }

        // Whatever follows the object must be whitespace (Read throws otherwise); the required fields must be there.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || id is null || ociVersion is null || bundle is null || rootfs is null)
        {
            return null;
        }

        return new ContainerRecord
        {
            Id = id, OciVersion = ociVersion, Pid = pid, PidStartTime = pidStartTime, Bundle = bundle, Rootfs = rootfs,
            Created = created, Annotations = annotations, CgroupPath = cgroupPath, Resources = resources,
        };
    }

    // The resources the writer writes; null for anything else (the serializer then reads the whole record).
    private static LinuxResources? Resources(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        LinuxResources resources = new();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("devices"u8))
            {
                if (Next(ref reader).TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return null;
                }

                List<LinuxDeviceCgroup> devices = [];
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (Device(ref reader) is not { } device)
                    {
                        return null;
                    }

                    devices.Add(device);
                }

                resources.Devices = devices;
            }
            else if (reader.ValueTextEquals("memory"u8))
            {
                if (Next(ref reader).TokenType != JsonTokenType.Null && (resources.Memory = Memory(ref reader)) is null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("cpu"u8))
            {
                if (Next(ref reader).TokenType != JsonTokenType.Null && (resources.Cpu = Cpu(ref reader)) is null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("pids"u8))
            {
                if (Next(ref reader).TokenType != JsonTokenType.Null && (resources.Pids = Pids(ref reader)) is null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("unified"u8))
            {
                resources.Unified = Map(ref reader);
            }
            else
            {
                return null;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject ? resources : null;
    }

    private static LinuxDeviceCgroup? Device(ref Utf8JsonReader reader)
    {
        bool? allow = null;
        string? type = null, access = null;
        long? major = null, minor = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("allow"u8)) { allow = reader.NextBoolean(); }
            else if (reader.ValueTextEquals("type"u8)) { type = reader.NextString(); }
            else if (reader.ValueTextEquals("major"u8)) { major = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("minor"u8)) { minor = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("access"u8)) { access = reader.NextString(); }
            else
            {
                return null;
            }
        }

        return allow is bool required ? new LinuxDeviceCgroup { Allow = required, Type = type, Major = major, Minor = minor, Access = access } : null;
    }

    private static LinuxMemory? Memory(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        LinuxMemory memory = new();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("limit"u8)) { memory.Limit = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("reservation"u8)) { memory.Reservation = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("swap"u8)) { memory.Swap = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("kernel"u8)) { memory.Kernel = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("kernelTCP"u8)) { memory.KernelTcp = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("swappiness"u8)) { memory.Swappiness = reader.NextNullableUInt64(); }
            else if (reader.ValueTextEquals("disableOOMKiller"u8)) { memory.DisableOomKiller = reader.NextNullableBoolean(); }
            else if (reader.ValueTextEquals("useHierarchy"u8)) { memory.UseHierarchy = reader.NextNullableBoolean(); }
            else if (reader.ValueTextEquals("checkBeforeUpdate"u8)) { memory.CheckBeforeUpdate = reader.NextNullableBoolean(); }
            else
            {
                return null;
            }
        }

        return memory;
    }

    private static LinuxCpu? Cpu(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        LinuxCpu cpu = new();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("shares"u8)) { cpu.Shares = reader.NextNullableUInt64(); }
            else if (reader.ValueTextEquals("quota"u8)) { cpu.Quota = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("burst"u8)) { cpu.Burst = reader.NextNullableUInt64(); }
            else if (reader.ValueTextEquals("period"u8)) { cpu.Period = reader.NextNullableUInt64(); }
            else if (reader.ValueTextEquals("realtimeRuntime"u8)) { cpu.RealtimeRuntime = reader.NextNullableInt64(); }
            else if (reader.ValueTextEquals("realtimePeriod"u8)) { cpu.RealtimePeriod = reader.NextNullableUInt64(); }
            else if (reader.ValueTextEquals("cpus"u8)) { cpu.Cpus = reader.NextString(); }
            else if (reader.ValueTextEquals("mems"u8)) { cpu.Mems = reader.NextString(); }
            else if (reader.ValueTextEquals("idle"u8)) { cpu.Idle = reader.NextNullableInt64(); }
            else
            {
                return null;
            }
        }

        return cpu;
    }

    private static LinuxPids? Pids(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        long? limit = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("limit"u8))
            {
                return null;
            }

            limit = reader.NextInt64();
        }

        return limit is long required ? new LinuxPids { Limit = required } : null;
    }

    /// <summary>A string-to-string object, or null; a value of another type throws (and the serializer takes the record).</summary>
    private static Dictionary<string, string>? Map(ref Utf8JsonReader reader)
    {
        if (Next(ref reader).TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("an object was expected");
        }

        Dictionary<string, string> map = new(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            map[key] = Next(ref reader).TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("a string was expected");
        }

        return map;
    }

    private static ref Utf8JsonReader Next(ref Utf8JsonReader reader)
    {
        _ = reader.Read();
        return ref reader;
    }
}
