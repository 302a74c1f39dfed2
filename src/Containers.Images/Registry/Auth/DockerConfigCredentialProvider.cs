using System.Text;
using Containers.Oci;

namespace Containers.Registry.Auth;

/// <summary>
/// Reads credentials from docker's <c>config.json</c> (<c>$DOCKER_CONFIG/config.json</c>, else
/// <c>~/.docker/config.json</c>), as written by <c>docker login</c>, <c>podman login</c> or <c>skopeo login</c>.
/// </summary>
/// <remarks>
/// Credential helpers (<c>credHelpers</c> per registry, else <c>credsStore</c>) are run as docker
/// does: <c>docker-credential-NAME get</c>, found in <see cref="HelperDirectories"/> or on PATH,
/// spawned without managed code in the child (see DESIGN §2). A helper that exits non-zero
/// ("credentials not found") leaves the registry to the <c>auths</c> entry, else anonymous.
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

    /// <summary>Directories searched for <c>docker-credential-NAME</c>; empty means PATH.</summary>
    public IList<string> HelperDirectories { get; } = [];

    /// <summary>How long a credential helper may take before it is killed.</summary>
    public TimeSpan HelperTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The file this provider reads.</summary>
    public string ConfigPath => _path;

    /// <inheritdoc />
    /// <exception cref="InvalidSpecException">The file is malformed (the field is named).</exception>
    /// <exception cref="CredentialHelperException">The registry's helper is missing, timed out or answered garbage.</exception>
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
        helper ??= string.IsNullOrEmpty(config.CredsStore) ? null : config.CredsStore;
        if (helper is not null)
        {
            // Docker Hub's helper entries are keyed by its historical index URL; others by host.
            string serverUrl = host == RegistryHosts.DockerHub ? "https://index.docker.io/v1/" : host;
            RegistryCredentials? fromHelper = await CredentialHelper.GetAsync(helper, serverUrl, [.. HelperDirectories], HelperTimeout, cancellationToken).ConfigureAwait(false);
            if (fromHelper is not null)
            {
                return fromHelper;
            }
        }

        return entry is null || IsEmpty(entry) ? null : ToCredential(entry, found.Key);
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
