using System.Security.Cryptography;

namespace Containers.Testing;

/// <summary>
/// Everything observable about a directory tree, read with lstat semantics, as one line per entry:
/// type, mode (with setuid/setgid/sticky), owner, size and content hash, symlink target, device numbers,
/// hard link structure (the first path of each inode group, in path order), xattrs (hex values) and,
/// optionally, mtimes. Two trees are equal byte for byte when their lines are equal.
/// </summary>
public static class FileTree
{
    /// <summary>Captures the tree below <paramref name="directory"/> (the directory itself is not listed).</summary>
    /// <param name="directory">The root of the tree.</param>
    /// <param name="withTimes">Include mtimes (seconds.nanoseconds) of everything but symlinks.</param>
    /// <param name="xattrFilter">Which xattr names to include; all when null.</param>
    public static List<string> Capture(string directory, bool withTimes = false, Func<string, bool>? xattrFilter = null)
    {
        SortedDictionary<string, string> result = new(StringComparer.Ordinal);
        Dictionary<ulong, string> inodes = [];
        Walk(directory, string.Empty, result, inodes, withTimes, xattrFilter);
        return [.. result.Select(kv => kv.Key + ": " + kv.Value)];
    }

    /// <summary>The lines present in only one of two captures, marked with the side they come from.</summary>
    public static List<string> Differences(IReadOnlyList<string> left, IReadOnlyList<string> right, string leftName, string rightName)
    {
        HashSet<string> l = [.. left];
        HashSet<string> r = [.. right];
        return [.. left.Where(x => !r.Contains(x)).Select(x => $"only {leftName}: {x}").Concat(right.Where(x => !l.Contains(x)).Select(x => $"only {rightName}: {x}"))];
    }

    /// <summary>Sets an xattr on a path without following a symlink.</summary>
    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value) => FileTreeInterop.LSetXattr(path, name, value);

    /// <summary>Reads an xattr of a path without following a symlink.</summary>
    public static byte[] GetXattr(string path, string name) => FileTreeInterop.LGetXattr(path, name);

    private static void Walk(string directory, string relative, SortedDictionary<string, string> result, Dictionary<ulong, string> inodes, bool withTimes, Func<string, bool>? xattrFilter)
    {
        // Sorted ordinally so the first path of a hard link group is the same in both trees.
        foreach (string full in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            string rel = relative.Length == 0 ? Path.GetFileName(full) : relative + "/" + Path.GetFileName(full);
            FileTreeInterop.Statx st = FileTreeInterop.LStat(full);
            string type = (st.Mode & 0xF000) switch
            {
                0x4000 => "dir",
                0x8000 => "file",
                0xA000 => "symlink",
                0x2000 => "chr",
                0x6000 => "blk",
                0x1000 => "fifo",
                0xC000 => "socket",
                _ => "other",
            };
            string detail = type switch
            {
                "file" => $" size={st.Size} sha256={Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full)))}",
                "symlink" => $" -> {new FileInfo(full).LinkTarget}",
                "chr" or "blk" => $" rdev={st.RdevMajor}:{st.RdevMinor}",
                _ => string.Empty,
            };
            string link = string.Empty;
            if (type != "dir" && st.Nlink > 1)
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

            string xattrs = string.Join(',', FileTreeInterop.LListXattr(full).Where(n => xattrFilter?.Invoke(n) ?? true).Order(StringComparer.Ordinal)
                .Select(n => n + "=" + Convert.ToHexStringLower(FileTreeInterop.LGetXattr(full, n))));
            string time = withTimes && type != "symlink" ? $" mtime={st.Mtime.Seconds}.{st.Mtime.Nanoseconds:D9}" : string.Empty;
            result[rel] = $"{type} mode={Convert.ToString(st.Mode & 0xfff, 8)} uid={st.Uid} gid={st.Gid}{detail}{link}{time} xattrs=[{xattrs}]";
            if (type == "dir")
            {
                Walk(full, rel, result, inodes, withTimes, xattrFilter);
            }
        }
    }
}
