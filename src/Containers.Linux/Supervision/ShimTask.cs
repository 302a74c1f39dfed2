namespace Containers.Linux.Supervision;

/// <summary>One container the shim runs: its record, its runtime, its init and exec'd processes.</summary>
internal sealed class ShimTask(ShimTaskRecord record, IRuntimeDriver runtime, string directory)
{
    /// <summary>What the host asked for (also on disk as task.json).</summary>
    public ShimTaskRecord Record { get; } = record;

    /// <summary>What drives the container: a runtime binary, or runcs's engine in the shim.</summary>
    public IRuntimeDriver Runtime { get; } = runtime;

    /// <summary>The task directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The container's init process.</summary>
    public ShimProcess Init { get; } = new(null, directory);

    /// <summary>The exec'd processes by exec id.</summary>
    public Dictionary<string, ShimProcess> Execs { get; } = new(StringComparer.Ordinal);

    /// <summary>The OOM notification source of the task's memory cgroup, while it is watched.</summary>
    public OomWatch? Oom { get; set; }

    /// <summary>OOM notifications counted since create.</summary>
    public ulong OomCount { get; set; }

    /// <summary>Connections waiting for the next OOM notification (or the init's exit).</summary>
    public List<ShimConnection> OomWaiters { get; } = [];
}
