namespace Containers.Linux.Cgroups;

/// <summary>RDMA limits for one device.</summary>
internal sealed record RdmaLimit(uint? HcaHandles, uint? HcaObjects);
