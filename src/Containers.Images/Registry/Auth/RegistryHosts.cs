namespace Containers.Registry.Auth;

/// <summary>Docker's host aliases, so credentials stored under one name apply to the others.</summary>
public static class RegistryHosts
{
    /// <summary>The host image references use for Docker Hub.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>The host Docker Hub's registry API is actually served from.</summary>
    public const string DockerHubApi = "registry-1.docker.io";

    /// <summary>Docker Hub's token service, trusted to receive Docker Hub credentials.</summary>
    public const string DockerHubAuth = "auth.docker.io";

    /// <summary>
    /// Folds Docker Hub's aliases (<c>index.docker.io</c>, <c>registry-1.docker.io</c>,
    /// <c>https://index.docker.io/v1/</c> as written by <c>docker login</c>) into <c>docker.io</c>.
    /// Other hosts are returned lower-cased without scheme or path.
    /// </summary>
    public static string Canonical(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string h = host.Trim();
        int scheme = h.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            h = h[(scheme + 3)..];
        }

        int slash = h.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            h = h[..slash];
        }

        h = h.ToLowerInvariant();
        return h is "index.docker.io" or DockerHubApi ? DockerHub : h;
    }
}
