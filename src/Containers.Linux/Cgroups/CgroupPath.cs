namespace Containers.Linux.Cgroups;

/// <summary>
/// Turns an OCI <c>linux.cgroupsPath</c> into the path of the container's cgroup inside every
/// hierarchy, with the semantics of runc's cgroupfs driver: an absolute path is taken as is
/// (relative to each hierarchy's root), a relative path goes under a parent, and an empty path
/// becomes <c>/&lt;parent&gt;/&lt;container id&gt;</c>.
/// </summary>
public static class CgroupPath
{
    /// <summary>
    /// The parent used for relative and empty cgroupsPath values. runc puts such cgroups under its
    /// own cgroup; a library embedded in an application would then nest containers inside the
    /// application's cgroup (and its limits), so ours go under one well-known top-level directory.
    /// </summary>
    public const string DefaultParent = "/containers-dotnet";

    /// <summary>Resolves <paramref name="cgroupsPath"/> to a normalized absolute cgroup path such as <c>/containers-dotnet/web</c>.</summary>
    /// <exception cref="InvalidSpecException">The path escapes with <c>..</c>, or the container id is not a single path element.</exception>
    /// <exception cref="UnsupportedException">The path uses the systemd driver's <c>slice:prefix:name</c> form.</exception>
    public static string Resolve(string? cgroupsPath, string containerId, string parent = DefaultParent)
    {
        ArgumentNullException.ThrowIfNull(containerId);
        ArgumentNullException.ThrowIfNull(parent);
        const string Field = "linux.cgroupsPath";
        if (string.IsNullOrEmpty(cgroupsPath))
        {
            if (containerId.Length == 0 || containerId.Contains('/', StringComparison.Ordinal) || containerId is "." or "..")
            {
                throw new InvalidSpecException(Field, $"is empty and the container id '{containerId}' cannot name a cgroup");
            }

            return Normalize(parent + "/" + containerId, Field);
        }

        if (!cgroupsPath.StartsWith('/') && cgroupsPath.Count(c => c == ':') == 2)
        {
            throw new UnsupportedException($"linux.cgroupsPath '{cgroupsPath}' is a systemd 'slice:prefix:name' path; only the cgroupfs driver is supported (use an absolute or relative path)");
        }

        if (cgroupsPath.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidSpecException(Field, "contains a NUL byte");
        }

        return Normalize(cgroupsPath.StartsWith('/') ? cgroupsPath : parent + "/" + cgroupsPath, Field);
    }

    /// <summary>Joins a hierarchy root (mount point) with a resolved cgroup path.</summary>
    public static string Join(string mountPoint, string cgroupPath)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        ArgumentNullException.ThrowIfNull(cgroupPath);
        return cgroupPath == "/" ? mountPoint : mountPoint.TrimEnd('/') + cgroupPath;
    }

    private static string Normalize(string path, string field)
    {
        List<string> parts = [];
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                // runc cleans ".." lexically, so "/a/../b" stays inside; we refuse every "..":
                // a spec that needs it is either confused or probing for an escape.
                throw new InvalidSpecException(field, $"'{path}' contains '..'; cgroup paths may not walk up");
            }

            parts.Add(part);
        }

        if (parts.Count == 0)
        {
            throw new InvalidSpecException(field, "resolves to the hierarchy root; a container needs its own cgroup");
        }

        return "/" + string.Join('/', parts);
    }
}
