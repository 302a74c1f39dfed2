using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Containers.Runc;

/// <summary>
/// runc's global <c>--log FILE</c> and <c>--log-format text|json</c>. Clients read the runtime's errors from that
/// file: containerd's shim passes <c>--log &lt;bundle&gt;/log.json --log-format json</c> and reports the last
/// "error" entry when a call fails. As runc (logrus with its FatalWriter), an error goes to stderr and to the log;
/// a warning goes to the log when there is one (stderr otherwise), since a shim hands the runtime the container's
/// own stderr and a warning there would become container output.
/// </summary>
internal static class RuntimeLog
{
    private static string? s_path;
    private static bool s_json;

    /// <summary>Takes <c>--log</c> and <c>--log-format</c> from the global options.</summary>
    /// <exception cref="UsageException">An unknown log format.</exception>
    public static void Configure(CommandLine line)
    {
        string format = line.Globals.TryGetValue("--log-format", out string? value) && value is not null ? value : "text";
        if (format is not ("text" or "json"))
        {
            throw new UsageException($"invalid log-format: {format}");
        }

        s_json = format == "json";
        s_path = line.Globals.TryGetValue("--log", out string? path) && !string.IsNullOrEmpty(path) ? path : null;
    }

    /// <summary>An error: <c>runcs: message</c> on stderr and an "error" entry in the log.</summary>
    public static void Error(string message)
    {
        Output.Error("runcs: " + message);
        Append("error", message);
    }

    /// <summary>A warning: a "warning" entry in the log, or <c>runcs: warning: message</c> on stderr without one.</summary>
    public static void Warning(string message)
    {
        if (s_path is null)
        {
            Output.Error("runcs: warning: " + message);
            return;
        }

        Append("warning", message);
    }

    private static void Append(string level, string message)
    {
        if (s_path is null)
        {
            return;
        }

        // logrus's formats: JSON keys in its order (level, msg, time), or text key=value pairs; RFC 3339 time.
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        byte[] line;
        if (s_json)
        {
            using MemoryStream buffer = new();
            using (Utf8JsonWriter writer = new(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("level", level);
                writer.WriteString("msg", message);
                writer.WriteString("time", time);
                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            line = buffer.ToArray();
        }
        else
        {
            // logrus quotes the value as Go's %q does: backslash, quote and the control characters escaped (one line per entry).
            string quoted = message.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
            line = Encoding.UTF8.GetBytes($"time=\"{time}\" level={level} msg=\"{quoted}\"\n");
        }

        try
        {
            // As runc opens it: created 0644 if missing, appended to.
            using FileStream log = new(s_path, new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
            log.Write(line);
        }
        catch (IOException ex)
        {
            Output.Error($"runcs: cannot write the log {s_path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            Output.Error($"runcs: cannot write the log {s_path}: {ex.Message}");
        }
    }
}
