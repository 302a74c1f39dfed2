namespace Containers.Registry.Auth;

/// <summary>Credentials given through the API, by registry host.</summary>
public sealed class StaticCredentialProvider : IRegistryCredentialProvider
{
    private readonly Dictionary<string, RegistryCredential> _credentials;

    /// <summary>Creates the provider from a host → credential map (hosts compared case-insensitively).</summary>
    public StaticCredentialProvider(IReadOnlyDictionary<string, RegistryCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = new Dictionary<string, RegistryCredential>(credentials, StringComparer.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public ValueTask<RegistryCredential?> GetCredentialAsync(string registryHost, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_credentials.GetValueOrDefault(RegistryHosts.Canonical(registryHost)) ?? _credentials.GetValueOrDefault(registryHost));
}
