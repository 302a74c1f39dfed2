namespace Containers.Linux.Runtime;

/// <summary>
/// The seam for cgroups (issue 4): called in the spawner after the clone and before the child is
/// released, so the child is in its cgroup before it mounts anything or execs.
/// </summary>
public interface ICgroupPlacer
{
    /// <summary>Places the (still waiting) child in its cgroups.</summary>
    /// <param name="pid">The child's host pid.</param>
    void Place(int pid);
}
