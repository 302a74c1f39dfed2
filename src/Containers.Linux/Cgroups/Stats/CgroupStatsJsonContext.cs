using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>Source-generated JSON for <see cref="CgroupStats"/> (runc <c>events --stats</c> shape).</summary>
[JsonSerializable(typeof(CgroupStats))]
public sealed partial class CgroupStatsJsonContext : JsonSerializerContext;
