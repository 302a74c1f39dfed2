namespace Containers.Linux.Runtime;

/// <summary>
/// The seam for cgroups: called in the spawner after the clone, while the child sets up its root
/// and then waits; the child runs nothing of the container's own (limits, ids, exec) until
/// <see cref="Place"/> has returned, so the container is in its cgroup before it starts.
/// </summary>
public interface ICgroupPlacer
{
    /// <summary>Places the (not yet started) child in its cgroups.</summary>
    /// <param name="pid">The child's host pid.</param>
    void Place(int pid);

    /// <summary>
    /// The container's cgroup when the child may join it by itself (v1 <c>tasks</c> files written by the child,
    /// clone3 CLONE_INTO_CGROUP for cgroup2) instead of <see cref="Place"/>; <see langword="null"/> (the default)
    /// keeps <see cref="Place"/>. See <see cref="CgroupSelfPlacement"/> for why.
    /// </summary>
    Cgroups.ICgroupManager? SelfPlacementCgroup => null;
}
