using System.Text.Json.Serialization;

namespace Containers.Registry;

/// <summary>Source-generated JSON for registry protocol bodies (NativeAOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryErrorBody))]
[JsonSerializable(typeof(TagList))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
