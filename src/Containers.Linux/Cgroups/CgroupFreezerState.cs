namespace Containers.Linux.Cgroups;

/// <summary>The freezer state of a cgroup.</summary>
public enum CgroupFreezerState
{
    /// <summary>Processes run.</summary>
    Thawed,

    /// <summary>Freezing has been requested but not every task has stopped yet.</summary>
    Freezing,

    /// <summary>Every task is stopped.</summary>
    Frozen,
}
