using System.Text.Json.Serialization;

namespace Containers.Registry.Auth;

/// <summary>What <c>docker-credential-NAME get</c> prints on success.</summary>
internal sealed class CredentialHelperOutput
{
    [JsonPropertyName("ServerURL")]
    public string? ServerUrl { get; set; }

    [JsonPropertyName("Username")]
    public string? Username { get; set; }

    [JsonPropertyName("Secret")]
    public string? Secret { get; set; }
}
