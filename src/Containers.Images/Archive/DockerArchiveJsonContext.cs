using System.Text.Json.Serialization;

namespace Containers.Images.Archive;

/// <summary>Source-generated JSON for docker-archive's <c>manifest.json</c> and <c>repositories</c> (NativeAOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
internal sealed partial class DockerArchiveJsonContext : JsonSerializerContext;
