namespace Containers.Registry.Auth;

/// <summary>Credentials given through the API, by registry host.</summary>
public sealed class StaticCredentialProvider : IRegistryCredentialProvider
{
    private readonly Dictionary<string, RegistryCredentials> _credentials;

    /// <summary>Creates the provider from a host → credential map (hosts compared case-insensitively).</summary>
    public StaticCredentialProvider(IReadOnlyDictionary<string, RegistryCredentials> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = new Dictionary<string, RegistryCredentials>(credentials, StringComparer.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public ValueTask<RegistryCredentials?> GetCredentialAsync(string registryHost, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_credentials.GetValueOrDefault(RegistryHosts.Canonical(registryHost)) ?? _credentials.GetValueOrDefault(registryHost));
}
