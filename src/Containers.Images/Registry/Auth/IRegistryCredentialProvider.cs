namespace Containers.Registry.Auth;

/// <summary>Finds the credentials to use for a registry host.</summary>
public interface IRegistryCredentialProvider
{
    /// <summary>Returns the credentials for <paramref name="registryHost"/> (<c>host[:port]</c>), or null for anonymous access.</summary>
    /// <param name="registryHost">The registry's host as it appears in image references, for example <c>docker.io</c> or <c>127.0.0.1:5000</c>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    ValueTask<RegistryCredentials?> GetCredentialAsync(string registryHost, CancellationToken cancellationToken = default);
}
