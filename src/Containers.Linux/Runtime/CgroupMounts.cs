using Containers.Linux.Cgroups;

namespace Containers.Linux.Runtime;

/// <summary>
/// Turns the spec's <c>cgroup</c>/<c>cgroup2</c> mounts into mounts the child can make: the
/// container's own cgroup directories, bind-mounted from the host, as runc does. On a unified host
/// the container's cgroup2 directory is bound at the destination; on v1 and hybrid hosts a tmpfs
/// goes there with one bind per hierarchy, named like the host's mount point (<c>memory</c>,
/// <c>cpu,cpuacct</c>, <c>unified</c>…), symlinks name each controller of a co-mounted hierarchy,
/// and the tmpfs is then made read-only. The binds and the tmpfs are read-only unless the container
/// has its own cgroup namespace (then the options decide), so a container cannot raise its own limits.
/// </summary>
public static class CgroupMounts
{
    private static readonly string[] TmpfsOptions = ["nosuid", "nodev", "noexec", "mode=755"];

    /// <summary>
    /// The plan with every cgroup mount expanded for <paramref name="manager"/>'s cgroup, which
    /// must exist (bind sources are checked when the child program is built).
    /// </summary>
    public static SpawnPlan Expand(SpawnPlan plan, ICgroupManager manager)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(manager);
        if (!plan.Mounts.Any(m => m.Type is "cgroup" or "cgroup2"))
        {
            return plan;
        }

        bool ownNamespace = (plan.Namespaces & ContainerNamespaces.Cgroup) != 0;
        List<MountRequest> mounts = [];
        foreach (MountRequest mount in plan.Mounts)
        {
            if (mount.Type is not ("cgroup" or "cgroup2"))
            {
                mounts.Add(mount);
                continue;
            }

            bool readOnly = !ownNamespace || mount.Options.Contains("ro");
            List<string> bindOptions = ["bind", "nosuid", "nodev", "noexec"];
            if (readOnly)
            {
                bindOptions.Add("ro");
            }

            if (manager.Mode == CgroupMode.Unified)
            {
                mounts.Add(new MountRequest(mount.Destination, "bind", manager.Directories[string.Empty], bindOptions));
                continue;
            }

            string root = mount.Destination.TrimEnd('/') + "/";
            mounts.Add(new MountRequest(mount.Destination, "tmpfs", "tmpfs", TmpfsOptions));
            List<string> coMounted = [];
            foreach (string directory in manager.Directories.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                string mountPoint = directory[..^manager.Path.Length];
                string name = Path.GetFileName(mountPoint);
                mounts.Add(new MountRequest(root + name, "bind", directory, bindOptions));
                if (name.Contains(',', StringComparison.Ordinal))
                {
                    coMounted.Add(name);
                }
            }

            // Each controller of a co-mounted hierarchy gets its own name (cpu -> cpu,cpuacct), as
            // runc links them, so tools that look for /sys/fs/cgroup/cpu find it.
            foreach (string name in coMounted)
            {
                foreach (string controller in name.Split(','))
                {
                    mounts.Add(new MountRequest(root + controller, null, name, []) { Kind = MountRequestKind.Symlink });
                }
            }

            // The tmpfs itself goes read-only last, once the binds and links are in it.
            if (readOnly)
            {
                mounts.Add(new MountRequest(mount.Destination, null, null, ["ro"]) { Kind = MountRequestKind.Remount });
            }
        }

        return plan with { Mounts = mounts };
    }
}
