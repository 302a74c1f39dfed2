namespace Containers.Runtime;

/// <summary>A point-in-time sample of a container's resource use, as <c>runc events --stats</c> reports it.</summary>
/// <param name="Timestamp">When the sample was taken.</param>
/// <param name="Cpu">CPU use.</param>
/// <param name="Memory">Memory use.</param>
/// <param name="Pids">Task count.</param>
public sealed record ContainerStats(DateTimeOffset Timestamp, CpuStats Cpu, MemoryStats Memory, PidsStats Pids);
