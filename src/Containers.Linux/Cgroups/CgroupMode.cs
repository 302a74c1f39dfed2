namespace Containers.Linux.Cgroups;

/// <summary>How the host mounts its cgroup hierarchies.</summary>
public enum CgroupMode
{
    /// <summary>Only cgroup v1 controller hierarchies are mounted.</summary>
    Legacy,

    /// <summary>cgroup v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified) that holds few or no controllers.</summary>
    Hybrid,

    /// <summary>A single cgroup2 hierarchy holds every controller.</summary>
    Unified,
}
