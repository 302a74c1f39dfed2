using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Containers.Oci;
using Containers.Registry.Auth;

namespace Containers.Registry;

/// <summary>
/// The HTTP layer under <see cref="RegistryClient"/>: scheme choice per host, the auth handler,
/// retries with backoff, and turning error responses into typed exceptions.
/// </summary>
internal sealed class RegistryHttp : IDisposable
{
    private const int MaxErrorBodyBytes = 64 * 1024;
    private readonly RegistryClientOptions _options;

    public RegistryHttp(RegistryClientOptions options)
    {
        _options = options;
        ValidateMirrors(options.Mirrors);

        HttpMessageHandler inner = options.CreateHandler();
        if (options.CaCertificateFiles.Count > 0)
        {
            if (inner is not SocketsHttpHandler sockets)
            {
                throw new UnsupportedException("CaCertificateFiles needs the default SocketsHttpHandler; configure trust in your own CreateHandler instead");
            }

            TrustExtraAuthorities(sockets, options.CaCertificateFiles);
        }

        Client = new HttpClient(new RegistryAuthHandler(inner, options.Auth), disposeHandler: true)
        {
            // Bodies (layers) stream for as long as they need; stalls are caught per read instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
    }

    public HttpClient Client { get; }

    public RegistryClientOptions Options => _options;

    public Uri BaseUri(string host)
    {
        bool plain = _options.InsecureRegistries.Contains(host) || (_options.PlainHttpOnLoopback && IsLoopback(host));
        return new Uri((plain ? "http://" : "https://") + host + "/v2/");
    }

    /// <summary>
    /// Sends a pull request (resolve or fetch; <paramref name="path"/> is relative to <c>/v2/</c>) to
    /// each mirror of <paramref name="host"/> in order, then to <paramref name="host"/> itself, as
    /// containerd's hosts do. A mirror that cannot be reached, lacks the content (404) or fails (5xx)
    /// hands over to the next one; any other answer (success, or 401/403 after its own auth
    /// challenge) is final. A mirror gets one attempt: retrying a dead mirror would only delay the
    /// endpoints behind it, and the upstream still gets the full retry policy.
    /// </summary>
    public async Task<HttpResponseMessage> SendPullAsync(string host, string path, Func<Uri, HttpRequestMessage> createRequest, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead)
    {
        if (MirrorsOf(host) is { } mirrors)
        {
            foreach (Uri mirror in mirrors)
            {
                Uri uri = new(MirrorBase(mirror), path);
                HttpResponseMessage response;
                try
                {
                    response = await SendAsync(() => createRequest(uri), idempotent: false, cancellationToken, completion).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.NotFound || (int)response.StatusCode >= 500)
                {
                    response.Dispose();
                    continue;
                }

                return response;
            }
        }

        Uri upstream = new(BaseUri(host), path);
        return await SendAsync(() => createRequest(upstream), idempotent: true, cancellationToken, completion).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request made by <paramref name="createRequest"/>, retrying on dropped connections,
    /// 5xx and 429 when <paramref name="idempotent"/> (a new request message each attempt).
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createRequest, bool idempotent, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseHeadersRead)
    {
        int attempts = idempotent ? Math.Max(1, _options.Retry.MaxAttempts) : 1;
        for (int attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            using CancellationTokenSource headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headers.CancelAfter(_options.ResponseHeadersTimeout);
            try
            {
                using HttpRequestMessage request = createRequest();
                response = await Client.SendAsync(request, completion, headers.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < attempts && IsTransient(ex, cancellationToken))
            {
                await Task.Delay(_options.Retry.DelayBefore(attempt + 1, null), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (attempt < attempts && (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500))
            {
                TimeSpan? retryAfter = RetryAfter(response);
                response.Dispose();
                await Task.Delay(_options.Retry.DelayBefore(attempt + 1, retryAfter), cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    /// <summary>Throws the typed error for a failed response; returns normally for success.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string kind, string name, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        (IReadOnlyList<string> codes, string detail) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        string where = response.RequestMessage?.RequestUri?.Authority ?? "registry";
        throw response.StatusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(kind, name),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                new RegistryAuthenticationException($"{where} refused access to {kind} {name} ({(int)response.StatusCode}{detail})", response.StatusCode),
            _ => new RegistryException($"{where}: {kind} {name}: {(int)response.StatusCode} {response.ReasonPhrase}{detail}", response.StatusCode, codes),
        };
    }

    public void Dispose() => Client.Dispose();

    internal static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // our own stall/header timeout
        HttpRequestException or IOException or SocketException => true,
        _ => false,
    };

    private static void TrustExtraAuthorities(SocketsHttpHandler handler, IList<string> pemFiles)
    {
        X509Certificate2Collection extra = [];
        foreach (string file in pemFiles)
        {
            extra.ImportFromPemFile(file);
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false; // a name mismatch or no certificate is never excused
            }

            using X509Chain custom = new();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes CRLs, and there may be no network
            custom.ChainPolicy.CustomTrustStore.AddRange(extra);
            if (chain is not null)
            {
                custom.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
            }

            return custom.Build(new X509Certificate2(certificate));
        };
    }

    /// <summary>The base URL of a mirror: its path prefix followed by <c>/v2/</c> (a prefix already ending in <c>/v2</c> is kept as is).</summary>
    internal static Uri MirrorBase(Uri mirror)
    {
        string prefix = mirror.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(prefix.EndsWith("/v2", StringComparison.Ordinal) ? prefix + "/" : prefix + "/v2/");
    }

    private IList<Uri>? MirrorsOf(string host)
    {
        if (_options.Mirrors.Count == 0)
        {
            return null;
        }

        return _options.Mirrors.TryGetValue(host, out IList<Uri>? mirrors) || _options.Mirrors.TryGetValue(RegistryHosts.Canonical(host), out mirrors)
            ? mirrors
            : null;
    }

    private static void ValidateMirrors(IDictionary<string, IList<Uri>> mirrors)
    {
        foreach ((string host, IList<Uri> list) in mirrors)
        {
            foreach (Uri mirror in list ?? throw new InvalidSpecException($"Mirrors[{host}]", "the mirror list is null"))
            {
                // Credentials are looked up per mirror host, so a URL must not carry its own; a query
                // or fragment would be silently dropped when paths are appended.
                if (mirror is null || !mirror.IsAbsoluteUri || (mirror.Scheme != Uri.UriSchemeHttp && mirror.Scheme != Uri.UriSchemeHttps)
                    || !string.IsNullOrEmpty(mirror.UserInfo) || !string.IsNullOrEmpty(mirror.Query) || !string.IsNullOrEmpty(mirror.Fragment))
                {
                    throw new InvalidSpecException($"Mirrors[{host}]", $"\"{mirror}\" is not an http(s) URL of the form scheme://host[:port][/prefix]");
                }
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        return header.Date is { } date ? date - DateTimeOffset.UtcNow : null;
    }

    private static async Task<(IReadOnlyList<string> Codes, string Detail)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                byte[] bytes = await OciJson.ReadBoundedAsync(body, MaxErrorBodyBytes, "registry error body", cancellationToken).ConfigureAwait(false);
                RegistryErrorBody parsed = OciJson.Deserialize(bytes, RegistryJsonContext.Default.RegistryErrorBody, MaxErrorBodyBytes);
                List<RegistryErrorEntry> errors = parsed.Errors ?? [];
                string[] codes = errors.Select(e => e.Code ?? "UNKNOWN").ToArray();
                string detail = errors.Count == 0 ? string.Empty : ": " + string.Join("; ", errors.Select(e => $"{e.Code}: {e.Message}"));
                return (codes, detail);
            }
        }
        catch (Exception ex) when (ex is ContainersException or IOException or HttpRequestException)
        {
            // The status alone still says what happened; an unreadable body must not hide it.
            return ([], string.Empty);
        }
    }

    private static bool IsLoopback(string host)
    {
        string name = host;
        if (name.StartsWith('['))
        {
            int close = name.IndexOf(']', StringComparison.Ordinal);
            name = close > 0 ? name[1..close] : name;
        }
        else
        {
            int colon = name.LastIndexOf(':');
            name = colon > 0 ? name[..colon] : name;
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out IPAddress? address) && IPAddress.IsLoopback(address));
    }
}
