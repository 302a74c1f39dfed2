namespace Containers.Linux.Cgroups;

/// <summary>A net_prio priority for one interface.</summary>
internal sealed record NetworkPriority(string Interface, uint Priority);
