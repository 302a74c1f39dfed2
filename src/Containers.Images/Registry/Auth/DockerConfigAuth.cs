using System.Text.Json.Serialization;

namespace Containers.Registry.Auth;

/// <summary>One entry of <c>auths</c> in docker's <c>config.json</c>.</summary>
internal sealed class DockerConfigAuth
{
    /// <summary>base64 of <c>user:password</c>.</summary>
    [JsonPropertyName("auth")]
    public string? Auth { get; set; }

    [JsonPropertyName("username")]
    public string? Username { get; set; }

    [JsonPropertyName("password")]
    public string? Password { get; set; }

    [JsonPropertyName("identitytoken")]
    public string? IdentityToken { get; set; }
}
