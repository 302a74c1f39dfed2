namespace Containers.Snapshots.Rootless;

/// <summary>What the process's user namespace allows a layer apply or a mount to do.</summary>
internal static class UserNamespace
{
    private static readonly Lazy<bool> s_nested = new(ReadIsNested);

    /// <summary>
    /// Whether the process's user namespace maps less than the whole id range, i.e. is not the initial one:
    /// there device nodes cannot be created, owners outside the map cannot be set, and <c>trusted.*</c>
    /// xattrs are refused, even to the namespace's root.
    /// </summary>
    public static bool IsNested => s_nested.Value;

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
}
