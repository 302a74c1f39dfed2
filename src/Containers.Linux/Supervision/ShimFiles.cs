using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Containers.Linux.Supervision;

/// <summary>
/// The shim's small JSON files (task record, exit records): written temp + rename, so a reader never sees
/// half of one. No fsync: they live in the volatile state directory and serve a host or shim that
/// crashed — a process crash loses nothing the kernel was given. Only an OS crash could lose them, and
/// then no shim or container of theirs exists; a record lost or torn that way reads as missing (a task
/// whose shim is gone and recorded no exit). These were two of the ~6 fsyncs left in a warm run.
/// </summary>
internal static class ShimFiles
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/> atomically, mode 0600.</summary>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> typeInfo)
    {
        string temporary = path + ".tmp";
        using (FileStream stream = new(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, value, typeInfo);
        }

        File.Move(temporary, path, overwrite: true);
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
