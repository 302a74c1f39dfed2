namespace Containers.Registry;

/// <summary>Credentials for one registry.</summary>
/// <param name="Username">The user name; empty with an identity token.</param>
/// <param name="Secret">The password, personal access token or identity (refresh) token.</param>
public sealed record RegistryCredentials(string Username, string Secret)
{
    /// <summary>Whether <see cref="Secret"/> is an OAuth2 refresh token rather than a password.</summary>
    public bool IsIdentityToken { get; init; }

    /// <summary>Leaves the secret out so credentials do not end up in logs.</summary>
    public override string ToString() => $"RegistryCredentials {{ Username = {Username}, Secret = *** }}";
}
