using System.Buffers;
using System.Text.Json;
using Containers.Linux.Json;

namespace Containers.Linux.Supervision;

/// <summary>
/// The shim's side of its JSON, read and written by hand: the request it reads, and the answer and records it writes.
/// In a NativeAOT process the serializer's first use of a type builds its contract, and that was ~2.5 ms of a fresh
/// shim's first create (each converter asks reflection for its type's assembly; the collection converters are generic
/// types made at run time). Every shim is fresh for its first request, and most serve one, so the shim does not use
/// the serializer for these. The output is byte for byte what <see cref="ShimJsonContext"/> writes (camelCase names
/// in declaration order, defaults left out), and the host, which reads it with that context, is none the wiser; the
/// request is read as that context would read it (unknown properties skipped, a wrong token type is a
/// <see cref="JsonException"/>). Tests hold the two to each other.
/// </summary>
internal static class ShimJsonCodec
{
    /// <summary>Reads one request (a whole frame's payload).</summary>
    /// <exception cref="JsonException">Not one JSON object, or a field of the wrong type.</exception>
    public static ShimRequest ReadRequest(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadRequestCore(json);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A string that is not valid UTF-8 (GetString): the serializer reports that as a JsonException too.
            throw new JsonException(ex.Message, ex);
        }
    }

    private static ShimRequest ReadRequestCore(ReadOnlySpan<byte> json)
    {
        Utf8JsonReader reader = new(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("the request is not a JSON object");
        }

        ShimRequest request = new();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("op"u8)) { request.Op = reader.NextString() ?? string.Empty; }
            else if (reader.ValueTextEquals("id"u8)) { request.Id = reader.NextString(); }
            else if (reader.ValueTextEquals("execId"u8)) { request.ExecId = reader.NextString(); }
            else if (reader.ValueTextEquals("namespace"u8)) { request.Namespace = reader.NextString(); }
            else if (reader.ValueTextEquals("bundle"u8)) { request.Bundle = reader.NextString(); }
            else if (reader.ValueTextEquals("runtime"u8)) { request.Runtime = reader.NextString(); }
            else if (reader.ValueTextEquals("stdin"u8)) { request.Stdin = reader.NextString(); }
            else if (reader.ValueTextEquals("stdout"u8)) { request.Stdout = reader.NextString(); }
            else if (reader.ValueTextEquals("stderr"u8)) { request.Stderr = reader.NextString(); }
            else if (reader.ValueTextEquals("signal"u8)) { request.Signal = reader.NextInt32(); }
            else if (reader.ValueTextEquals("all"u8)) { request.All = reader.NextBoolean(); }
            else if (reader.ValueTextEquals("terminal"u8)) { request.Terminal = reader.NextBoolean(); }
            else if (reader.ValueTextEquals("width"u8)) { request.Width = reader.NextInt32(); }
            else if (reader.ValueTextEquals("height"u8)) { request.Height = reader.NextInt32(); }
            else if (reader.ValueTextEquals("after"u8)) { request.After = reader.NextUInt64(); }
            else if (reader.ValueTextEquals("json"u8)) { request.Json = reader.NextString(); }
            else if (reader.ValueTextEquals("start"u8)) { request.Start = reader.NextBoolean(); }
            else if (reader.ValueTextEquals("exitWithTask"u8)) { request.ExitWithTask = reader.NextBoolean(); }
            else
            {
                // As the serializer does with a property it does not know: skip its value, whatever it is.
                _ = reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("the request is not a JSON object");
        }

        // Only whitespace may follow the object (the reader throws on anything else).
        _ = reader.Read();
        return request;
    }

    /// <summary>The answer as <see cref="ShimJsonContext"/> writes it.</summary>
    public static byte[] WriteResponse(ShimResponse response)
        => Write(response, static (writer, r) =>
        {
            writer.WriteStartObject();
            writer.WriteIfSet("error"u8, r.Error);
            writer.WriteIfSet("message"u8, r.Message);
            writer.WriteIfNotDefault("pid"u8, r.Pid);
            writer.WriteIfSet("status"u8, r.Status);
            if (r.Exit is { } exit)
            {
                writer.WritePropertyName("exit"u8);
                ExitRecord(writer, exit);
            }

            writer.WriteArrayIfSet("pids"u8, r.Pids, PidRecord);
            writer.WriteIfNotDefault("oomCount"u8, r.OomCount);

            writer.WriteIfSet("json"u8, r.Json);
            writer.WriteIfSet("stdin"u8, r.Stdin);
            writer.WriteIfSet("stdout"u8, r.Stdout);
            writer.WriteIfSet("stderr"u8, r.Stderr);
            writer.WriteIfNotDefault("terminal"u8, r.Terminal);
            writer.WriteArrayIfSet("execs"u8, r.Execs, ExecRecord);
            writer.WriteIfNotDefault("exiting"u8, r.Exiting);
            writer.WriteArrayIfSet("tasks"u8, r.Tasks, TaskRecord);
            writer.WriteEndObject();
        });

    /// <summary>A task record (task.json) as <see cref="ShimJsonContext"/> writes it.</summary>
    public static byte[] WriteTaskRecord(ShimTaskRecord record) => Write(record, TaskRecord);

    /// <summary>An exit record (exit.json) as <see cref="ShimJsonContext"/> writes it.</summary>
    public static byte[] WriteExitRecord(ShimExitRecord record) => Write(record, ExitRecord);

    private static byte[] Write<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        using (Utf8JsonWriter writer = new(buffer))
        {
            write(writer, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void PidRecord(Utf8JsonWriter writer, ShimPid pid)
    {
        writer.WriteStartObject();
        writer.WriteIfNotDefault("pid"u8, pid.Pid);
        writer.WriteIfSet("execId"u8, pid.ExecId);
        writer.WriteEndObject();
    }

    private static void ExecRecord(Utf8JsonWriter writer, ShimExecIO exec)
    {
        writer.WriteStartObject();
        writer.WriteIfSet("execId"u8, exec.ExecId);
        writer.WriteIfSet("stdin"u8, exec.Stdin);
        writer.WriteIfSet("stdout"u8, exec.Stdout);
        writer.WriteIfSet("stderr"u8, exec.Stderr);
        writer.WriteIfNotDefault("terminal"u8, exec.Terminal);
        writer.WriteEndObject();
    }

    private static void TaskRecord(Utf8JsonWriter writer, ShimTaskRecord r)
    {
        writer.WriteStartObject();
        // The first four default to "", which the serializer writes (only null is their type's default).
        writer.WriteIfSet("namespace"u8, r.Namespace);
        writer.WriteIfSet("id"u8, r.Id);
        writer.WriteIfSet("bundle"u8, r.Bundle);
        writer.WriteIfSet("runtime"u8, r.Runtime);
        writer.WriteIfNotDefault("inProcess"u8, r.InProcess);
        writer.WriteIfSet("stdin"u8, r.Stdin);
        writer.WriteIfSet("stdout"u8, r.Stdout);
        writer.WriteIfSet("stderr"u8, r.Stderr);
        writer.WriteIfNotDefault("terminal"u8, r.Terminal);
        writer.WriteIfNotDefault("pid"u8, r.Pid);
        writer.WriteIfSet("status"u8, r.Status);
        writer.WriteEndObject();
    }

    private static void ExitRecord(Utf8JsonWriter writer, ShimExitRecord r)
    {
        writer.WriteStartObject();
        writer.WriteIfNotDefault("pid"u8, r.Pid);
        writer.WriteIfNotDefault("exitCode"u8, r.ExitCode);
        if (r.ExitedAt != default)
        {
            writer.WriteString("exitedAt"u8, r.ExitedAt);
        }

        writer.WriteEndObject();
    }
}
