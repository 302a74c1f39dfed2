using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int O_TRUNC = 0x200;
    internal const int EBUSY = 16;
    internal const int ENOTEMPTY = 39;

    [LibraryImport(Libc, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int MkDir(string path, int mode);

    [LibraryImport(Libc, EntryPoint = "rmdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int RmDir(string path);
}
