using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Cgroup resource limits of a container.</summary>
public sealed class LinuxResources
{
    /// <summary>The device allow/deny list, applied in order.</summary>
    [JsonPropertyName("devices")]
    public IList<LinuxDeviceCgroup>? Devices { get; set; }

    /// <summary>Memory limits.</summary>
    [JsonPropertyName("memory")]
    public LinuxMemory? Memory { get; set; }

    /// <summary>CPU limits.</summary>
    [JsonPropertyName("cpu")]
    public LinuxCpu? Cpu { get; set; }

    /// <summary>Process count limit.</summary>
    [JsonPropertyName("pids")]
    public LinuxPids? Pids { get; set; }

    /// <summary>Block I/O limits.</summary>
    [JsonPropertyName("blockIO")]
    public LinuxBlockIO? BlockIO { get; set; }

    /// <summary>Huge page limits per page size.</summary>
    [JsonPropertyName("hugepageLimits")]
    public IList<LinuxHugepageLimit>? HugepageLimits { get; set; }

    /// <summary>net_cls and net_prio settings.</summary>
    [JsonPropertyName("network")]
    public LinuxNetwork? Network { get; set; }

    /// <summary>RDMA limits keyed by device name.</summary>
    [JsonPropertyName("rdma")]
    public IDictionary<string, LinuxRdma>? Rdma { get; set; }

    /// <summary>Raw cgroup v2 files and their values, e.g. <c>memory.high</c>.</summary>
    [JsonPropertyName("unified")]
    public IDictionary<string, string>? Unified { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
