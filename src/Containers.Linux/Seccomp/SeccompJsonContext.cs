using System.Text.Json.Serialization;

namespace Containers.Linux.Seccomp;

/// <summary>Source-generated JSON for the seccomp agent payload.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContainerProcessState))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
