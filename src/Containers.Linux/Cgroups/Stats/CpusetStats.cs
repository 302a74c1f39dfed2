using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>The cpuset controller's settings, as runc's <c>events --stats</c> reports them (v1; zero on v2, as runc 1.1).</summary>
public sealed class CpusetStats
{
    /// <summary>The cpus the cgroup may run on (ranges expanded).</summary>
    [JsonPropertyName("cpus")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<ushort>? Cpus { get; set; }

    /// <summary>cpuset.cpu_exclusive.</summary>
    [JsonPropertyName("cpu_exclusive")]
    public ulong CpuExclusive { get; set; }

    /// <summary>The memory nodes the cgroup may allocate on (ranges expanded).</summary>
    [JsonPropertyName("mems")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<ushort>? Mems { get; set; }

    /// <summary>cpuset.mem_hardwall.</summary>
    [JsonPropertyName("mem_hardwall")]
    public ulong MemHardwall { get; set; }

    /// <summary>cpuset.mem_exclusive.</summary>
    [JsonPropertyName("mem_exclusive")]
    public ulong MemExclusive { get; set; }

    /// <summary>cpuset.memory_migrate.</summary>
    [JsonPropertyName("memory_migrate")]
    public ulong MemoryMigrate { get; set; }

    /// <summary>cpuset.memory_spread_page.</summary>
    [JsonPropertyName("memory_spread_page")]
    public ulong MemorySpreadPage { get; set; }

    /// <summary>cpuset.memory_spread_slab.</summary>
    [JsonPropertyName("memory_spread_slab")]
    public ulong MemorySpreadSlab { get; set; }

    /// <summary>cpuset.memory_pressure.</summary>
    [JsonPropertyName("memory_pressure")]
    public ulong MemoryPressure { get; set; }

    /// <summary>cpuset.sched_load_balance.</summary>
    [JsonPropertyName("sched_load_balance")]
    public ulong SchedLoadBalance { get; set; }

    /// <summary>cpuset.sched_relax_domain_level (-1: the system default).</summary>
    [JsonPropertyName("sched_relax_domain_level")]
    public long SchedRelaxDomainLevel { get; set; }

    /// <summary>Expands a cpuset list such as <c>0-3,8</c>; empty text gives null (omitted, as runc).</summary>
    public static List<ushort>? ParseList(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        List<ushort> result = [];
        foreach (string part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            ushort first = ushort.Parse(dash < 0 ? part : part[..dash], System.Globalization.CultureInfo.InvariantCulture);
            ushort last = dash < 0 ? first : ushort.Parse(part[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            for (int i = first; i <= last; i++)
            {
                result.Add((ushort)i);
            }
        }

        return result;
    }
}
