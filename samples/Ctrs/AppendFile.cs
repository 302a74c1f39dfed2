using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Samples.Ctrs;

/// <summary>
/// Opens a file with O_APPEND, which .NET's <see cref="FileMode.Append"/> does not use (it seeks to the
/// end once): with O_APPEND every write lands at the current end, so lines written by several ctrs
/// processes at once never overwrite each other.
/// </summary>
internal static partial class AppendFile
{
    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloexec = 0x80000;

    public static SafeFileHandle Open(string path)
    {
        int fd = OpenNative(path, OWronly | OCreat | OAppend | OCloexec, 0x180);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new IOException($"open {path}: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
    }

    /// <summary>One write(2) of the whole buffer: appended as a unit (a short write is reported, not retried at a stale offset).</summary>
    public static void Write(SafeFileHandle handle, ReadOnlySpan<byte> data)
    {
        nint written = WriteNative(handle, data, (nuint)data.Length);
        if (written != data.Length)
        {
            throw new IOException($"append: {(written < 0 ? Marshal.GetLastPInvokeErrorMessage() : $"short write {written} of {data.Length}")}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(SafeFileHandle fd, ReadOnlySpan<byte> buffer, nuint count);
}
