using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>One block I/O counter.</summary>
public sealed class BlkioEntry
{
    /// <summary>Device major number.</summary>
    [JsonPropertyName("major")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Major { get; set; }

    /// <summary>Device minor number.</summary>
    [JsonPropertyName("minor")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Minor { get; set; }

    /// <summary>Operation: Read, Write, Sync, Async, Discard, Total.</summary>
    [JsonPropertyName("op")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Op { get; set; }

    /// <summary>The counter.</summary>
    [JsonPropertyName("value")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Value { get; set; }
}
