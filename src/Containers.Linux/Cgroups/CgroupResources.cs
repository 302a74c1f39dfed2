namespace Containers.Linux.Cgroups;

/// <summary>
/// The cgroup limits of a container, flattened from the OCI <c>linux.resources</c> object
/// (<see cref="CgroupResourcesMapper"/>). Null means "not set: leave the kernel's value".
/// </summary>
internal sealed class CgroupResources
{
    public long? MemoryLimit { get; set; }

    public long? MemoryReservation { get; set; }

    /// <summary>OCI semantics: memory + swap (v1 memsw), converted for v2.</summary>
    public long? MemorySwap { get; set; }

    public long? MemoryKernel { get; set; }

    public long? MemoryKernelTcp { get; set; }

    public ulong? MemorySwappiness { get; set; }

    public bool? DisableOomKiller { get; set; }

    public bool? UseHierarchy { get; set; }

    public bool? CheckBeforeUpdate { get; set; }

    public ulong? CpuShares { get; set; }

    public long? CpuQuota { get; set; }

    public ulong? CpuPeriod { get; set; }

    public ulong? CpuBurst { get; set; }

    public long? CpuRealtimeRuntime { get; set; }

    public ulong? CpuRealtimePeriod { get; set; }

    public string? Cpus { get; set; }

    public string? Mems { get; set; }

    public long? CpuIdle { get; set; }

    public long? PidsLimit { get; set; }

    public ushort? BlkioWeight { get; set; }

    public ushort? BlkioLeafWeight { get; set; }

    public IList<BlockIODeviceWeight> BlkioWeightDevices { get; } = [];

    public IList<BlockIODeviceRate> BlkioThrottleReadBps { get; } = [];

    public IList<BlockIODeviceRate> BlkioThrottleWriteBps { get; } = [];

    public IList<BlockIODeviceRate> BlkioThrottleReadIops { get; } = [];

    public IList<BlockIODeviceRate> BlkioThrottleWriteIops { get; } = [];

    public IList<HugepageLimit> HugepageLimits { get; } = [];

    public uint? NetClassId { get; set; }

    public IList<NetworkPriority> NetPriorities { get; } = [];

    public IDictionary<string, RdmaLimit> Rdma { get; } = new Dictionary<string, RdmaLimit>(StringComparer.Ordinal);

    public IDictionary<string, string> Unified { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Null: leave the device controller alone. Otherwise the complete rule list, first to last.</summary>
    public IList<CgroupDeviceRule>? Devices { get; set; }
}
