using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Memory cgroup limits. Byte values are -1 (unlimited) or non-negative.</summary>
public sealed class LinuxMemory
{
    /// <summary>The memory usage limit in bytes.</summary>
    [JsonPropertyName("limit")]
    public long? Limit { get; set; }

    /// <summary>The soft limit in bytes.</summary>
    [JsonPropertyName("reservation")]
    public long? Reservation { get; set; }

    /// <summary>The memory plus swap limit in bytes.</summary>
    [JsonPropertyName("swap")]
    public long? Swap { get; set; }

    /// <summary>The kernel memory limit in bytes (deprecated).</summary>
    [JsonPropertyName("kernel")]
    public long? Kernel { get; set; }

    /// <summary>The kernel TCP buffer limit in bytes (deprecated).</summary>
    [JsonPropertyName("kernelTCP")]
    public long? KernelTcp { get; set; }

    /// <summary>The swappiness, 0 to 100.</summary>
    [JsonPropertyName("swappiness")]
    public ulong? Swappiness { get; set; }

    /// <summary>Whether the OOM killer is disabled for the cgroup.</summary>
    [JsonPropertyName("disableOOMKiller")]
    public bool? DisableOomKiller { get; set; }

    /// <summary>Whether hierarchical accounting is enabled (cgroup v1).</summary>
    [JsonPropertyName("useHierarchy")]
    public bool? UseHierarchy { get; set; }

    /// <summary>Whether an update below current usage is refused.</summary>
    [JsonPropertyName("checkBeforeUpdate")]
    public bool? CheckBeforeUpdate { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
