using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// Everything observable about a directory tree, read with lstat semantics: type, mode, owner,
/// size, content hash, link target, device numbers, mtime, xattrs and hard link grouping.
/// </summary>
internal static class TreeSnapshot
{
    /// <summary>One line per entry, "path: description", in path order (readable in assertion messages).</summary>
    public static List<string> Capture(string directory, bool withTimes = true, Func<string, bool>? exclude = null)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inodes = new Dictionary<ulong, string>();
        Walk(directory, string.Empty, result, inodes, withTimes, exclude);
        return [.. result.Select(kv => kv.Key + ": " + kv.Value)];
    }

    public static Interop.Statx LStat(string path)
    {
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        int errno = Interop.LStatAt(cwd, path, out Interop.Statx st);
        Assert.That(errno, Is.Zero, $"lstat {path}");
        return st;
    }

    public static bool Exists(string path)
    {
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        return Interop.LStatAt(cwd, path, out _) == 0;
    }

    private static void Walk(string directory, string relative, SortedDictionary<string, string> result, Dictionary<ulong, string> inodes, bool withTimes, Func<string, bool>? exclude)
    {
        foreach (string full in Directory.EnumerateFileSystemEntries(directory).OrderBy(p => p, StringComparer.Ordinal))
        {
            string rel = relative.Length == 0 ? Path.GetFileName(full) : relative + "/" + Path.GetFileName(full);
            if (exclude?.Invoke(rel) == true)
            {
                continue;
            }

            Interop.Statx st = LStat(full);
            string type = st.FileType switch
            {
                Interop.S_IFDIR => "dir",
                Interop.S_IFREG => "file",
                Interop.S_IFLNK => "symlink",
                Interop.S_IFCHR => "chr",
                Interop.S_IFBLK => "blk",
                Interop.S_IFIFO => "fifo",
                _ => "other",
            };
            string detail = type switch
            {
                "file" => $"size={st.Size} sha={Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(full)))}",
                "symlink" => $"-> {new FileInfo(full).LinkTarget}",
                "chr" or "blk" => $"rdev={st.RdevMajor}:{st.RdevMinor}",
                _ => string.Empty,
            };
            string link = string.Empty;
            if (type == "file" && st.Nlink > 1)
            {
                if (inodes.TryGetValue(st.Ino, out string? first))
                {
                    link = $" hardlink-of={first}";
                }
                else
                {
                    inodes[st.Ino] = rel;
                }
            }

            string xattrs = string.Join(',', Interop.LListXattr(full).Order(StringComparer.Ordinal)
                .Select(k => k + "=" + Convert.ToHexString(Interop.LGetXattr(full, k) ?? [])));
            string time = withTimes && type != "symlink" ? $" mtime={st.Mtime.Seconds}.{st.Mtime.Nanoseconds:D9}" : string.Empty;
            result[rel] = $"{type} mode={Convert.ToString(st.Mode & 0xfff, 8)} uid={st.Uid} gid={st.Gid} {detail}{link}{time} xattrs=[{xattrs}]";
            if (type == "dir")
            {
                Walk(full, rel, result, inodes, withTimes, exclude);
            }
        }
    }
}
