using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>Memory statistics.</summary>
public sealed class MemoryStats
{
    /// <summary>Page cache bytes (v1 <c>cache</c>, v2 <c>file</c>).</summary>
    [JsonPropertyName("cache")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Cache { get; set; }

    /// <summary>Memory usage, peak, limit and failure count.</summary>
    [JsonPropertyName("usage")]
    public MemoryEntry Usage { get; init; } = new();

    /// <summary>Swap (v1: memory+swap) usage and limit.</summary>
    [JsonPropertyName("swap")]
    public MemoryEntry Swap { get; init; } = new();

    /// <summary>Kernel memory (v1 only).</summary>
    [JsonPropertyName("kernel")]
    public MemoryEntry Kernel { get; init; } = new();

    /// <summary>Kernel TCP buffer memory (v1 only).</summary>
    [JsonPropertyName("kernelTCP")]
    public MemoryEntry KernelTcp { get; init; } = new();

    /// <summary>Every counter of memory.stat.</summary>
    [JsonPropertyName("raw")]
    public IDictionary<string, ulong> Raw { get; init; } = new Dictionary<string, ulong>(StringComparer.Ordinal);
}
