using System.Collections.ObjectModel;

namespace Containers.Linux.Cgroups;

/// <summary>
/// Where the host mounts its cgroup hierarchies: the v1 controllers, the cgroup2 mount, and the
/// cgroup this process is in for each. Built from /proc/self/mountinfo and /proc/self/cgroup.
/// </summary>
public sealed class CgroupLayout
{
    private CgroupLayout(CgroupMode mode, IReadOnlyDictionary<string, string> v1MountPoints, string? unifiedMountPoint, IReadOnlyDictionary<string, string> ownPaths)
    {
        Mode = mode;
        V1MountPoints = v1MountPoints;
        UnifiedMountPoint = unifiedMountPoint;
        OwnPaths = ownPaths;
    }

    /// <summary>Legacy, hybrid or unified.</summary>
    public CgroupMode Mode { get; }

    /// <summary>v1 controller name (e.g. <c>memory</c>, <c>name=systemd</c>) → mount point. Co-mounted controllers share one mount point.</summary>
    public IReadOnlyDictionary<string, string> V1MountPoints { get; }

    /// <summary>Where cgroup2 is mounted, or null when it is not.</summary>
    public string? UnifiedMountPoint { get; }

    /// <summary>
    /// This process's own cgroup per hierarchy from /proc/self/cgroup: v1 controller name → path,
    /// and the empty key for the cgroup2 hierarchy.
    /// </summary>
    public IReadOnlyDictionary<string, string> OwnPaths { get; }

    /// <summary>Reads the layout of the calling process's mount namespace.</summary>
    public static CgroupLayout Detect()
    {
        string mountInfo = KernelFile.ReadAllText("/proc/self/mountinfo");
        string? own = KernelFile.TryReadAllText("/proc/self/cgroup");
        return Parse(mountInfo, own);
    }

    /// <summary>Builds a layout from the text of a mountinfo file and (optionally) a /proc/PID/cgroup file.</summary>
    /// <exception cref="UnsupportedException">No cgroup hierarchy is mounted.</exception>
    public static CgroupLayout Parse(string mountInfo, string? procCgroup = null)
    {
        ArgumentNullException.ThrowIfNull(mountInfo);
        Dictionary<string, string> v1 = new(StringComparer.Ordinal);
        string? unified = null;
        foreach (string line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "id parent major:minor root mountpoint options [optional...] - fstype source superoptions"
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (separator < 5 || separator + 3 > fields.Length)
            {
                continue;
            }

            string mountPoint = Unescape(fields[4]);
            string fsType = fields[separator + 1];
            if (fsType == "cgroup2")
            {
                // The first cgroup2 mount wins; later ones are usually bind mounts of it.
                unified ??= mountPoint;
            }
            else if (fsType == "cgroup" && separator + 3 <= fields.Length)
            {
                string superOptions = fields[separator + 3];
                foreach (string option in superOptions.Split(','))
                {
                    if (option is "rw" or "ro" || option.StartsWith("release_agent=", StringComparison.Ordinal) || option is "noprefix" or "xattr" or "clone_children" or "cpuset_v2_mode")
                    {
                        continue;
                    }

                    v1.TryAdd(option, mountPoint);
                }
            }
        }

        CgroupMode mode;
        if (v1.Count == 0 && unified is null)
        {
            throw new UnsupportedException("no cgroup hierarchy is mounted (neither cgroup nor cgroup2 in mountinfo)");
        }
        else if (v1.Keys.All(k => k.StartsWith("name=", StringComparison.Ordinal)) && unified is not null)
        {
            // Only named (controller-less) v1 hierarchies beside cgroup2: every resource lives in v2.
            mode = CgroupMode.Unified;
        }
        else
        {
            mode = unified is null ? CgroupMode.Legacy : CgroupMode.Hybrid;
        }

        return new CgroupLayout(mode, new ReadOnlyDictionary<string, string>(v1), unified, ParseOwnPaths(procCgroup));
    }

    /// <summary>The mount point of a v1 controller, or null when that controller is not mounted.</summary>
    public string? GetV1MountPoint(string controller) => V1MountPoints.TryGetValue(controller, out string? mount) ? mount : null;

    private static ReadOnlyDictionary<string, string> ParseOwnPaths(string? procCgroup)
    {
        Dictionary<string, string> paths = new(StringComparer.Ordinal);
        if (procCgroup is null)
        {
            return new ReadOnlyDictionary<string, string>(paths);
        }

        foreach (string line in procCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "hierarchy-id:controller-list:path"; the v2 line is "0::/path".
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[1].Length == 0)
            {
                paths[string.Empty] = parts[2];
                continue;
            }

            foreach (string controller in parts[1].Split(','))
            {
                paths[controller] = parts[2];
            }
        }

        return new ReadOnlyDictionary<string, string>(paths);
    }

    private static string Unescape(string field)
        => field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
