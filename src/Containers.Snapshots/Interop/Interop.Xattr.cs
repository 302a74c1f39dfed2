using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int FSetXattrNative(SafeFileHandle fd, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LSetXattrNative(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint LGetXattrNative(string path, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "llistxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint LListXattrNative(string path, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "flistxattr", SetLastError = true)]
    private static unsafe partial nint FListXattrNative(SafeFileHandle fd, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "fremovexattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int FRemoveXattr(SafeFileHandle fd, string name);

    /// <summary>Lists the xattr names of an open file; an empty list when the filesystem has none.</summary>
    internal static unsafe List<string> FListXattr(SafeFileHandle fd)
    {
        byte* buffer = stackalloc byte[65536];
        nint n = FListXattrNative(fd, buffer, 65536);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EOPNOTSUPP)
            {
                return [];
            }

            ThrowLastError("flistxattr", string.Empty);
        }

        return SplitNames(new ReadOnlySpan<byte>(buffer, (int)n));
    }

    internal static unsafe int FSetXattr(SafeFileHandle fd, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
        {
            return FSetXattrNative(fd, name, v, (nuint)value.Length, 0);
        }
    }

    internal static unsafe int LSetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
        {
            return LSetXattrNative(path, name, v, (nuint)value.Length, 0);
        }
    }

    /// <summary>Reads one xattr without following a final symlink; null when absent.</summary>
    internal static unsafe byte[]? LGetXattr(string path, string name)
    {
        byte* buffer = stackalloc byte[65536];
        nint n = LGetXattrNative(path, name, buffer, 65536);
        return n < 0 ? null : new ReadOnlySpan<byte>(buffer, (int)n).ToArray();
    }

    /// <summary>Lists xattr names without following a final symlink.</summary>
    internal static unsafe List<string> LListXattr(string path)
    {
        byte* buffer = stackalloc byte[65536];
        nint n = LListXattrNative(path, buffer, 65536);
        if (n < 0)
        {
            ThrowLastError("llistxattr", path);
        }

        return SplitNames(new ReadOnlySpan<byte>(buffer, (int)n));
    }

    private static List<string> SplitNames(ReadOnlySpan<byte> all)
    {
        var names = new List<string>();
        while (!all.IsEmpty)
        {
            int end = all.IndexOf((byte)0);
            names.Add(System.Text.Encoding.UTF8.GetString(all[..end]));
            all = all[(end + 1)..];
        }

        return names;
    }
}
