using System.Text.Json.Serialization;

namespace Containers.Registry.Auth;

/// <summary>Source-generated JSON for docker's config file and token responses (NativeAOT-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DockerConfigFile))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CredentialHelperOutput))]
internal sealed partial class RegistryAuthJsonContext : JsonSerializerContext;
