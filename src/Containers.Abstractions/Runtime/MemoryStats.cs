namespace Containers.Runtime;

/// <summary>Memory use of a container's cgroup.</summary>
/// <param name="UsageBytes">Memory in use, in bytes.</param>
/// <param name="LimitBytes">The limit, in bytes, or <see langword="null"/> for none.</param>
/// <param name="MaxUsageBytes">The highest use seen, in bytes, where the cgroup version reports it.</param>
/// <param name="CacheBytes">Page cache charged to the cgroup, in bytes.</param>
/// <param name="OomKills">How many times the OOM killer acted in the cgroup.</param>
public sealed record MemoryStats(ulong UsageBytes, ulong? LimitBytes, ulong? MaxUsageBytes, ulong CacheBytes, ulong OomKills);
