using System.Text;
using Containers.Oci;

namespace Containers.Registry.Auth;

/// <summary>
/// Reads credentials from docker's <c>config.json</c> (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>), as written by <c>docker login</c>, <c>podman login</c> or <c>skopeo login</c>.
/// </summary>
/// <remarks>
/// Credential helpers (<c>credsStore</c>, <c>credHelpers</c>) are external programs; running one
/// would fork the embedding application, which DESIGN.md §2 forbids. A host that needs a helper
/// gets an <see cref="UnsupportedException"/> that says so, rather than a silent anonymous pull.
/// </remarks>
public sealed class DockerConfigCredentialProvider : IRegistryCredentialProvider
{
    private const int MaxConfigBytes = 1024 * 1024;
    private readonly string _path;

    /// <summary>Uses the config file at <paramref name="path"/>, or docker's default location when null.</summary>
    public DockerConfigCredentialProvider(string? path = null)
    {
        _path = path ?? DefaultPath();
    }

    /// <summary>The file this provider reads.</summary>
    public string ConfigPath => _path;

    /// <inheritdoc />
    /// <exception cref="InvalidSpecException">The file is malformed (the field is named).</exception>
    /// <exception cref="UnsupportedException">The host's credentials live in a credential helper.</exception>
    public async ValueTask<RegistryCredentials?> GetCredentialAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        DockerConfigFile config = await OciJson.ReadFileAsync(_path, RegistryAuthJsonContext.Default.DockerConfigFile, MaxConfigBytes, cancellationToken).ConfigureAwait(false);
        string host = RegistryHosts.Canonical(registryHost);

        string? helper = config.CredHelpers?.FirstOrDefault(kv => RegistryHosts.Canonical(kv.Key) == host).Value;
        KeyValuePair<string, DockerConfigAuth> found = config.Auths?.FirstOrDefault(kv => RegistryHosts.Canonical(kv.Key) == host) ?? default;
        DockerConfigAuth? entry = found.Value;
        if (helper is not null || (config.CredsStore is not null && entry is not null && IsEmpty(entry)))
        {
            throw new UnsupportedException($"credentials for {host} are kept by docker-credential-{helper ?? config.CredsStore}; credential helpers are not run (the embedding process never forks) — pass the credentials with StaticCredentialProvider");
        }

        return entry is null ? null : ToCredential(entry, found.Key);
    }

    private static RegistryCredentials? ToCredential(DockerConfigAuth entry, string key)
    {
        string? user = entry.Username;
        string? password = entry.Password;
        if (!string.IsNullOrEmpty(entry.Auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
            }
            catch (FormatException ex)
            {
                throw new InvalidSpecException($"auths['{key}'].auth", "not valid base64", ex);
            }

            int colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidSpecException($"auths['{key}'].auth", "expected base64 of \"user:password\"");
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
        }

        if (!string.IsNullOrEmpty(entry.IdentityToken))
        {
            return new RegistryCredentials(user ?? string.Empty, entry.IdentityToken) { IsIdentityToken = true };
        }

        return user is null || password is null ? null : new RegistryCredentials(user, password);
    }

    private static bool IsEmpty(DockerConfigAuth entry) =>
        string.IsNullOrEmpty(entry.Auth) && string.IsNullOrEmpty(entry.Username) && string.IsNullOrEmpty(entry.IdentityToken);

    private static string DefaultPath()
    {
        string? dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        return string.IsNullOrEmpty(dir)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json")
            : Path.Combine(dir, "config.json");
    }
}
