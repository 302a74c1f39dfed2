namespace Containers.Registry;

/// <summary>How the registry client reaches registries: mirrors, plain-HTTP hosts, trust, credentials, limits.</summary>
public sealed class RegistryOptions
{
    /// <summary>
    /// Mirrors per registry domain (for example <c>docker.io</c>), as base URLs tried in order before the
    /// registry itself. Only pulls use mirrors.
    /// </summary>
    public IDictionary<string, IList<Uri>> Mirrors { get; } = new Dictionary<string, IList<Uri>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Hosts (<c>host[:port]</c>) that may be reached over plain HTTP, or over HTTPS without certificate
    /// verification. Empty by default; <c>localhost</c> is not implied.
    /// </summary>
    public ISet<string> InsecureRegistries { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>PEM files of certificate authorities trusted in addition to the system store.</summary>
    public IList<string> CaCertificateFiles { get; } = [];

    /// <summary>Returns the credentials for a registry host, or <see langword="null"/> for anonymous access.</summary>
    public Func<string, CancellationToken, ValueTask<RegistryCredentials?>>? CredentialsProvider { get; set; }

    /// <summary>The User-Agent header, or <see langword="null"/> for the library's default.</summary>
    public string? UserAgent { get; set; }

    /// <summary>The largest manifest or index accepted, in bytes; larger ones are refused before parsing.</summary>
    public long MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest image config accepted, in bytes.</summary>
    public long MaxConfigBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many blobs are downloaded at the same time.</summary>
    public int MaxConcurrentDownloads { get; set; } = 3;
}
