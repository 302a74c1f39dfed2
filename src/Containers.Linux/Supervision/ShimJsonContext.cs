using System.Text.Json.Serialization;

namespace Containers.Linux.Supervision;

/// <summary>Source-generated (NativeAOT-safe) JSON for the shim protocol and its files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(ShimRequest))]
[JsonSerializable(typeof(ShimResponse))]
[JsonSerializable(typeof(ShimExitRecord))]
[JsonSerializable(typeof(ShimTaskRecord))]
[JsonSerializable(typeof(ShimExecIO))]
internal sealed partial class ShimJsonContext : JsonSerializerContext;
