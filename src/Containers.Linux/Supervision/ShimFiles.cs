using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Containers.Linux.Supervision;

/// <summary>
/// The shim's small JSON files (task record, exit records). No fsync: they live in the volatile state directory and
/// serve a host or shim that crashed — a process crash loses nothing the kernel was given. Only an OS crash could lose
/// them, and then no shim or container of theirs exists; a record lost or torn that way reads as missing (a task
/// whose shim is gone and recorded no exit). These were two of the ~6 fsyncs left in a warm run.
/// No temp file and rename either (since session 15; one rename fewer per file in the state directory): each file is
/// written once, to a name nobody reads before it is written — task.json before the runtime makes the task's process,
/// an exit file before anyone is told of the exit — with one write(2) of the whole record, so a reader sees no file,
/// an empty one (a shim killed between the open and the write) or all of it, never part; <see cref="TryRead"/> reads
/// the first two alike as missing, which is what a crash before a temp file's rename left before.
/// </summary>
internal static class ShimFiles
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> in one write, mode 0600.</summary>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> typeInfo) => Write(path, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    /// <summary>Writes a record already serialized (<see cref="ShimJsonCodec"/>) to <paramref name="path"/> in one write, mode 0600.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        using FileStream stream = new(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 0,
        });
        stream.Write(bytes);
    }

    /// <summary>Reads a file written by <see cref="Write"/>; <see langword="null"/> when it is missing or unreadable.</summary>
    public static T? TryRead<T>(string path, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return stream.Length > ShimFraming.MaxFrameLength ? null : JsonSerializer.Deserialize(stream, typeInfo);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
