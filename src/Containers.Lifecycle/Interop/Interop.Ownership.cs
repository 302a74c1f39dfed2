using System.Runtime.InteropServices;

namespace Containers.Lifecycle;

/// <summary>Group ownership of the directories the host makes for a task (a user-namespace container's bundle).</summary>
internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LChownNative(string path, uint owner, uint group);

    /// <summary>Gives <paramref name="path"/> (not what a symlink there names) the group <paramref name="gid"/>, keeping its owner.</summary>
    /// <exception cref="IOException">lchown failed.</exception>
    internal static void SetGroup(string path, uint gid)
    {
        if (LChownNative(path, uint.MaxValue /* -1: owner unchanged */, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"lchown {path} :{gid}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }
}
