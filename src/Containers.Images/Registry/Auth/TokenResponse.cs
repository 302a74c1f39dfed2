using System.Text.Json.Serialization;

namespace Containers.Registry.Auth;

/// <summary>A token service's answer (distribution token spec; OAuth2 servers use <c>access_token</c>).</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; set; }

    [JsonPropertyName("issued_at")]
    public DateTimeOffset? IssuedAt { get; set; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }
}
