namespace Containers.Registry.Auth;

/// <summary>A bearer token and the moment it stops being used.</summary>
internal sealed record CachedToken(string Token, DateTimeOffset RefreshAfter);
