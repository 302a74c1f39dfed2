namespace Containers.Runtime;

/// <summary>CPU use of a container's cgroup.</summary>
/// <param name="TotalNanoseconds">CPU time used, in nanoseconds.</param>
/// <param name="UserNanoseconds">CPU time used in user mode, in nanoseconds.</param>
/// <param name="KernelNanoseconds">CPU time used in kernel mode, in nanoseconds.</param>
/// <param name="ThrottledPeriods">Enforcement periods in which the cgroup was throttled.</param>
/// <param name="ThrottledNanoseconds">Total time throttled, in nanoseconds.</param>
public sealed record CpuStats(ulong TotalNanoseconds, ulong UserNanoseconds, ulong KernelNanoseconds, ulong ThrottledPeriods, ulong ThrottledNanoseconds);
