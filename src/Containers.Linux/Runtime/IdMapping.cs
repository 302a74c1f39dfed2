namespace Containers.Linux.Runtime;

/// <summary>One line of a user namespace's uid_map or gid_map.</summary>
/// <param name="ContainerId">First id inside the container.</param>
/// <param name="HostId">First id on the host it maps to.</param>
/// <param name="Size">Number of ids mapped.</param>
public readonly record struct IdMapping(uint ContainerId, uint HostId, uint Size);
