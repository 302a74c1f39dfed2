using System.Text.Json.Serialization;

namespace Containers.Registry.Auth;

/// <summary>The parts of docker's <c>config.json</c> that hold registry credentials.</summary>
internal sealed class DockerConfigFile
{
    [JsonPropertyName("auths")]
    public Dictionary<string, DockerConfigAuth>? Auths { get; set; }

    [JsonPropertyName("credsStore")]
    public string? CredsStore { get; set; }

    [JsonPropertyName("credHelpers")]
    public Dictionary<string, string>? CredHelpers { get; set; }
}
