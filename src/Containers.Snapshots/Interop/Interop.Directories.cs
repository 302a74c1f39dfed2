using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int MkdirAt(SafeFileHandle dirfd, string name, uint mode);

    [LibraryImport(Libc, EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int UnlinkAt(SafeFileHandle dirfd, string name, int flags);

    [LibraryImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    private static unsafe partial nint GetDents64(SafeFileHandle fd, byte* buffer, nuint count);

    /// <summary>The names in a directory opened for reading, without "." and "..".</summary>
    internal static unsafe List<string> ReadDirectoryNames(SafeFileHandle dirfd)
    {
        var names = new List<string>();
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    nint n = GetDents64(dirfd, b, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        ThrowLastError("getdents64");
                    }

                    if (n == 0)
                    {
                        return names;
                    }

                    // struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
                    for (nint offset = 0; offset < n;)
                    {
                        ushort reclen = *(ushort*)(b + offset + 16);
                        var name = new ReadOnlySpan<byte>(b + offset + 19, reclen - 19);
                        name = name[..name.IndexOf((byte)0)];
                        if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                        {
                            names.Add(System.Text.Encoding.UTF8.GetString(name));
                        }

                        offset += reclen;
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
