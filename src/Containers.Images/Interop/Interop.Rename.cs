using System.Runtime.InteropServices;

internal static partial class Interop
{
    private const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    /// <summary>
    /// Atomically renames <paramref name="source"/> to <paramref name="destination"/> unless the
    /// destination exists. Returns false (and leaves both alone) when it does exist.
    /// </summary>
    internal static bool RenameNoReplace(string source, string destination)
    {
        if (RenameAt2(AT_FDCWD, source, AT_FDCWD, destination, RENAME_NOREPLACE) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }

        if (errno is EINVAL or ENOSYS)
        {
            // A filesystem without RENAME_NOREPLACE: .NET's no-overwrite move links then unlinks,
            // which is just as atomic about the destination.
            if (File.Exists(destination))
            {
                return false;
            }

            File.Move(source, destination, overwrite: false);
            return true;
        }

        throw ErrnoException(errno, "renameat2", destination);
    }
}
