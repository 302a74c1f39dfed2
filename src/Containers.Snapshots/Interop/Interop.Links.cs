using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const int AT_SYMLINK_FOLLOW = 0x400;
    internal const int EMLINK = 31;

    [LibraryImport(Libc, EntryPoint = "symlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SymlinkAt(string target, SafeFileHandle newdirfd, string linkname);

    [LibraryImport(Libc, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LinkAt(SafeFileHandle olddirfd, string oldname, SafeFileHandle newdirfd, string newname, int flags);
}
