namespace Containers.Runtime;

/// <summary>Task count of a container's cgroup.</summary>
/// <param name="Current">Tasks (threads) in the cgroup.</param>
/// <param name="Limit">The limit, or <see langword="null"/> for none.</param>
public sealed record PidsStats(ulong Current, ulong? Limit);
