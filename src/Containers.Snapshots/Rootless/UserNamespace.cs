namespace Containers.Snapshots.Rootless;

/// <summary>What the process's user namespace allows a layer apply or a mount to do.</summary>
internal static class UserNamespace
{
    private static readonly Lazy<bool> s_nested = new(ReadIsNested);
    private static readonly Lazy<(uint Start, uint Count)[]> s_uids = new(() => ReadMap("/proc/self/uid_map"));
    private static readonly Lazy<(uint Start, uint Count)[]> s_gids = new(() => ReadMap("/proc/self/gid_map"));

    /// <summary>
    /// Whether the process's user namespace maps less than the whole id range, i.e. is not the initial one:
    /// there device nodes cannot be created, owners outside the map cannot be set, and <c>trusted.*</c>
    /// xattrs are refused, even to the namespace's root.
    /// </summary>
    public static bool IsNested => s_nested.Value;

    /// <summary>Whether a user id (as seen inside the namespace) has a mapping, i.e. can own a file.</summary>
    public static bool MapsUid(uint id) => Contains(s_uids.Value, id);

    /// <summary>Whether a group id (as seen inside the namespace) has a mapping.</summary>
    public static bool MapsGid(uint id) => Contains(s_gids.Value, id);

    /// <summary>The process's uid_map, one range per line, for messages.</summary>
    public static string DescribeUidMap()
    {
        try
        {
            return string.Join("; ", File.ReadAllLines("/proc/self/uid_map").Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
        catch (IOException)
        {
            return "uid_map unreadable";
        }
    }

    private static bool ReadIsNested()
    {
        try
        {
            string[] fields = File.ReadAllText("/proc/self/uid_map").Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return !(fields is ["0", "0", "4294967295"]);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool Contains((uint Start, uint Count)[] ranges, uint id) =>
        Array.Exists(ranges, r => id >= r.Start && id - r.Start < r.Count);

    // Each line: first id inside, first id outside, count. Unreadable (no procfs) counts as the whole range.
    private static (uint Start, uint Count)[] ReadMap(string path)
    {
        try
        {
            var ranges = new List<(uint, uint)>();
            foreach (string line in File.ReadAllLines(path))
            {
                string[] f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 3 && uint.TryParse(f[0], out uint start) && uint.TryParse(f[2], out uint count))
                {
                    ranges.Add((start, count));
                }
            }

            return [.. ranges];
        }
        catch (IOException)
        {
            return [(0, uint.MaxValue)];
        }
    }
}
