using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>CPU time in nanoseconds.</summary>
public sealed class CpuUsage
{
    /// <summary>Total CPU time.</summary>
    [JsonPropertyName("total")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Total { get; set; }

    /// <summary>CPU time per CPU (v1 cpuacct only).</summary>
    [JsonPropertyName("percpu")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ulong>? PerCpu { get; set; }

    /// <summary>Kernel-mode CPU time per CPU (v1 cpuacct only).</summary>
    [JsonPropertyName("percpu_kernel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ulong>? PerCpuKernel { get; set; }

    /// <summary>User-mode CPU time per CPU (v1 cpuacct only).</summary>
    [JsonPropertyName("percpu_user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ulong>? PerCpuUser { get; set; }

    /// <summary>Kernel-mode CPU time.</summary>
    [JsonPropertyName("kernel")]
    public ulong Kernel { get; set; }

    /// <summary>User-mode CPU time.</summary>
    [JsonPropertyName("user")]
    public ulong User { get; set; }
}
