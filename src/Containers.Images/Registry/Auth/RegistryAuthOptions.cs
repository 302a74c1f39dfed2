namespace Containers.Registry.Auth;

/// <summary>How <see cref="RegistryAuthHandler"/> answers authentication challenges.</summary>
public sealed class RegistryAuthOptions
{
    /// <summary>Where credentials come from; anonymous when null.</summary>
    public IRegistryCredentialProvider? Credentials { get; set; }

    /// <summary>
    /// Token realm hosts that may receive a registry's credentials although they are not the
    /// registry's own host, keyed by registry host. Docker Hub's <c>auth.docker.io</c> is trusted
    /// for <c>docker.io</c> by default. A realm on any other host still gets an anonymous token
    /// request, never the credentials (a hostile registry cannot harvest them).
    /// </summary>
    public IDictionary<string, ISet<string>> TrustedRealmHosts { get; } = new Dictionary<string, ISet<string>>(StringComparer.OrdinalIgnoreCase)
    {
        [RegistryHosts.DockerHub] = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { RegistryHosts.DockerHubAuth },
    };

    /// <summary>The largest token response accepted, in bytes.</summary>
    public int MaxTokenResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Lifetime assumed for a token whose response has no <c>expires_in</c> (the spec's default is 60 s).</summary>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromSeconds(60);
}
