using System.Net;
using Containers.Registry.Auth;

namespace Containers.Registry;

/// <summary>Settings of <see cref="RegistryClient"/>.</summary>
public sealed class RegistryClientOptions
{
    /// <summary>
    /// Registry hosts (<c>host[:port]</c>) spoken to over plain HTTP. Every other host is HTTPS with
    /// certificate validation.
    /// </summary>
    public ISet<string> InsecureRegistries { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Mirrors to try before a registry, by registry host (e.g. <c>docker.io</c>), as containerd's
    /// <c>hosts.toml</c> does: each an <c>http(s)://host[:port][/prefix]</c> URL, tried in order for
    /// resolving and fetching (manifests and blobs); unreachable mirrors, 404 and 5xx fall through to
    /// the next one and finally to the registry itself. Pushes, tag lists and blob checks always go to
    /// the registry. A mirror's auth challenges are answered like any registry's, with credentials for
    /// the mirror's own host.
    /// </summary>
    public IDictionary<string, IList<Uri>> Mirrors { get; } = new Dictionary<string, IList<Uri>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>PEM files of extra certificate authorities trusted for HTTPS registries (besides the system's).</summary>
    public IList<string> CaCertificateFiles { get; } = [];

    /// <summary>The User-Agent sent to registries.</summary>
    public string UserAgent { get; set; } = "containers-dotnet/0.1";

    /// <summary>The largest image config accepted.</summary>
    public int MaxConfigBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many blobs one pull downloads at the same time.</summary>
    public int MaxConcurrentDownloads { get; set; } = 3;

    /// <summary>Whether loopback registries (127.0.0.0/8, ::1, localhost) use plain HTTP, as docker allows by default.</summary>
    public bool PlainHttpOnLoopback { get; set; } = true;

    /// <summary>Authentication: credentials and which token realms may receive them.</summary>
    public RegistryAuthOptions Auth { get; set; } = new();

    /// <summary>Retries of failed requests and dropped transfers.</summary>
    public RetryPolicy Retry { get; set; } = new();

    /// <summary>The largest manifest or index accepted (containerd's bound is 4 MiB).</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Uploads larger than this go in chunks (POST, PATCH…, PUT); smaller ones in one PUT.</summary>
    public long ChunkedUploadThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>The size of one upload chunk, raised to the registry's <c>OCI-Chunk-Min-Length</c> when it asks for more.</summary>
    public int UploadChunkSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>The time allowed for response headers; bodies stream without a total timeout.</summary>
    public TimeSpan ResponseHeadersTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A transfer that delivers no byte for this long is dropped and resumed (counts as one failed attempt).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Builds the innermost handler; replace to add a proxy or custom certificate validation.</summary>
    public Func<HttpMessageHandler> CreateHandler { get; set; } = static () => new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = 16,
    };
}
