namespace Containers.Registry.Auth;

/// <summary>Credentials for one registry: a user name and password, or an identity (refresh) token.</summary>
/// <param name="Username">The user name (empty with an identity token).</param>
/// <param name="Password">The password or personal access token.</param>
public sealed record RegistryCredential(string Username, string Password)
{
    /// <summary>An OAuth2 refresh token (docker's <c>identitytoken</c>), used instead of the password when set.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>Hides the secret from logs and debugger displays.</summary>
    public override string ToString() => $"RegistryCredential {{ Username = {Username}, Password = ***{(IdentityToken is null ? string.Empty : ", IdentityToken = ***")} }}";
}
