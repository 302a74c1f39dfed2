using System.Globalization;
using Containers.Linux.Cgroups;
using Containers.Linux.Runtime;

namespace Containers.Runc.Cgroups;

/// <summary>
/// runc 1.1's <c>exec --cgroup [controller[,controller…]:]path</c>: the exec'd process is placed in an existing
/// sub-cgroup of the container's cgroup — one path for every hierarchy, or per v1 controller (the others keep the
/// container's own cgroup). Parsing, the checks and the messages follow runc's (getSubCgroupPaths and
/// newSetnsProcess); a path that leaves the container's cgroup after cleaning is refused.
/// </summary>
internal sealed class SubCgroupPlacer : ICgroupPlacer
{
    private readonly List<string> _targets;

    private SubCgroupPlacer(List<string> targets)
    {
        _targets = targets;
    }

    /// <summary>
    /// The placer for the <c>--cgroup</c> values, or null when none is given (the container's cgroup as usual).
    /// </summary>
    /// <exception cref="UsageException">A malformed value (runc's "invalid --cgroup argument").</exception>
    /// <exception cref="FailedPreconditionException">An unknown controller, or a path outside the container's cgroup.</exception>
    public static SubCgroupPlacer? For(IReadOnlyList<string> values, ICgroupManager manager)
    {
        ArgumentNullException.ThrowIfNull(manager);
        Dictionary<string, string>? subPaths = Parse(values);
        if (subPaths is null)
        {
            return null;
        }

        foreach (string sub in subPaths.Values)
        {
            if (!Inside(sub))
            {
                throw new FailedPreconditionException($"{sub} is not a sub cgroup path");
            }
        }

        // Each hierarchy's directory once (co-mounted controllers share one); a controller named with a path moves its hierarchy.
        Dictionary<string, string> byDirectory = new(StringComparer.Ordinal);
        if (subPaths.TryGetValue(string.Empty, out string? common))
        {
            foreach (string directory in manager.Directories.Values)
            {
                byDirectory[directory] = CleanJoin(directory, common);
            }
        }
        else
        {
            foreach ((string controller, string sub) in subPaths)
            {
                // runc names its hybrid cgroup2 hierarchy nowhere in SubCgroupPaths: only v1 controllers may be named.
                if (controller.Length == 0 || !manager.Directories.TryGetValue(controller, out string? directory))
                {
                    throw new FailedPreconditionException($"unknown controller {controller} in SubCgroupPaths");
                }

                byDirectory[directory] = CleanJoin(directory, sub);
            }

            foreach (string directory in manager.Directories.Values)
            {
                byDirectory.TryAdd(directory, directory);
            }
        }

        return new SubCgroupPlacer([.. byDirectory.Values]);
    }

    /// <inheritdoc />
    public void Place(int pid)
    {
        foreach (string target in _targets)
        {
            if (!Directory.Exists(target))
            {
                // runc's words, without its openat2 detail.
                throw new FailedPreconditionException(string.Create(CultureInfo.InvariantCulture,
                    $"error adding pid {pid} to cgroups: failed to write {pid}: {target}/cgroup.procs: no such file or directory"));
            }

            try
            {
                CgroupFiles.Write(target, "cgroup.procs", pid);
            }
            catch (CgroupException ex)
            {
                throw new FailedPreconditionException(string.Create(CultureInfo.InvariantCulture, $"error adding pid {pid} to cgroups: {ex.Message}"));
            }
        }
    }

    /// <summary>runc's getSubCgroupPaths: controller (or "" for all) → path.</summary>
    private static Dictionary<string, string>? Parse(IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        Dictionary<string, string> paths = new(StringComparer.Ordinal);
        foreach (string value in values)
        {
            string[] parts = value.Split(':', 3);
            if (parts.Length > 2)
            {
                throw new UsageException($"invalid --cgroup argument: {value}");
            }

            if (parts.Length == 1)
            {
                if (values.Count != 1)
                {
                    throw new UsageException($"invalid --cgroup argument: {value} (missing <controller>: prefix)");
                }

                paths[string.Empty] = value;
                continue;
            }

            foreach (string controller in parts[0].Split(','))
            {
                if (!paths.TryAdd(controller, parts[1]))
                {
                    throw new UsageException($"invalid --cgroup argument(s): controller {controller} specified multiple times");
                }
            }
        }

        return paths;
    }

    /// <summary>Whether <paramref name="sub"/>, joined to a cgroup and cleaned as Go's path.Join does, stays inside it.</summary>
    private static bool Inside(string sub) => CleanJoin("/base", sub) is "/base" || CleanJoin("/base", sub).StartsWith("/base/", StringComparison.Ordinal);

    /// <summary><paramref name="directory"/>/<paramref name="sub"/> with "." and ".." resolved lexically (Go's path.Join).</summary>
    private static string CleanJoin(string directory, string sub)
    {
        List<string> parts = [];
        foreach (string part in (directory + "/" + sub).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }
}
