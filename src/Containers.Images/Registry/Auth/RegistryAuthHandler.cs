using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Containers.Oci;

namespace Containers.Registry.Auth;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers registry authentication challenges: Basic, and
/// Bearer tokens from the challenge's realm (distribution token spec), cached per scope and
/// refreshed on 401.
/// </summary>
/// <remarks>
/// Safety: a token realm must be an absolute http(s) URL without user info; an https registry may
/// not send us to an http realm (except on loopback); and credentials go only to a realm on the
/// registry's own host or one listed in <see cref="RegistryAuthOptions.TrustedRealmHosts"/> —
/// other realms are asked for an anonymous token.
/// </remarks>
public sealed class RegistryAuthHandler : DelegatingHandler
{
    private readonly RegistryAuthOptions _options;
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenFetch = new(1, 1);

    /// <summary>Creates the handler over <paramref name="innerHandler"/>.</summary>
    public RegistryAuthHandler(HttpMessageHandler innerHandler, RegistryAuthOptions? options = null)
        : base(innerHandler)
    {
        _options = options ?? new RegistryAuthOptions();
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Uri uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        string host = uri.Authority;
        string? scope = RepositoryScope.ForRequest(request.Method, uri);

        if (_challenges.TryGetValue(host, out AuthChallenge? known))
        {
            await AuthorizeAsync(request, uri, known, scope, forceRefresh: false, cancellationToken).ConfigureAwait(false);
        }

        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        AuthChallenge? challenge = AuthChallenge.Parse(response.Headers.WwwAuthenticate.Select(h => h.ToString()))
            .FirstOrDefault(c => c.IsBearer) ?? AuthChallenge.Parse(response.Headers.WwwAuthenticate.Select(h => h.ToString())).FirstOrDefault(c => c.IsBasic);
        if (challenge is null || !CanReplay(request))
        {
            return response;
        }

        _challenges[host] = challenge;
        bool authorized = await AuthorizeAsync(request, uri, challenge, MergeScopes(scope, challenge.Scope), forceRefresh: known is not null, cancellationToken).ConfigureAwait(false);
        if (!authorized)
        {
            return response;
        }

        response.Dispose();
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tokenFetch.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool CanReplay(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent or ReadOnlyMemoryContent;

    private static string? MergeScopes(string? ours, string? theirs)
    {
        if (string.IsNullOrEmpty(theirs))
        {
            return ours;
        }

        if (string.IsNullOrEmpty(ours))
        {
            return theirs;
        }

        return string.Join(' ', theirs.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(ours).Distinct(StringComparer.Ordinal));
    }

    private async Task<bool> AuthorizeAsync(HttpRequestMessage request, Uri uri, AuthChallenge challenge, string? scope, bool forceRefresh, CancellationToken cancellationToken)
    {
        RegistryCredentials? credential = _options.Credentials is null
            ? null
            : await _options.Credentials.GetCredentialAsync(uri.Authority, cancellationToken).ConfigureAwait(false);

        if (challenge.IsBasic)
        {
            if (credential is null)
            {
                return false;
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Secret)));
            return true;
        }

        if (!challenge.IsBearer)
        {
            return false;
        }

        string token = await GetTokenAsync(uri, challenge, scope, credential, forceRefresh, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return true;
    }

    private async Task<string> GetTokenAsync(Uri registryUri, AuthChallenge challenge, string? scope, RegistryCredentials? credential, bool forceRefresh, CancellationToken cancellationToken)
    {
        Uri realm = ValidateRealm(registryUri, challenge.Realm);
        bool sendCredentials = credential is not null && MayReceiveCredentials(registryUri, realm);
        string key = string.Join('\n', realm.AbsoluteUri, challenge.Service ?? string.Empty, scope ?? string.Empty, sendCredentials ? credential!.Username : string.Empty);

        if (!forceRefresh && _tokens.TryGetValue(key, out CachedToken? cached) && cached.RefreshAfter > DateTimeOffset.UtcNow)
        {
            return cached.Token;
        }

        await _tokenFetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched it while we waited.
            if (!forceRefresh && _tokens.TryGetValue(key, out cached) && cached.RefreshAfter > DateTimeOffset.UtcNow)
            {
                return cached.Token;
            }

            CachedToken fresh = await FetchTokenAsync(realm, challenge.Service, scope, sendCredentials ? credential : null, cancellationToken).ConfigureAwait(false);
            _tokens[key] = fresh;
            return fresh.Token;
        }
        finally
        {
            _tokenFetch.Release();
        }
    }

    private async Task<CachedToken> FetchTokenAsync(Uri realm, string? service, string? scope, RegistryCredentials? credential, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> query = [];
        if (!string.IsNullOrEmpty(service))
        {
            query.Add(new("service", service));
        }

        foreach (string s in (scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            query.Add(new("scope", s));
        }

        using HttpRequestMessage tokenRequest = new();
        if (credential is { IsIdentityToken: true, Secret: { Length: > 0 } refreshToken })
        {
            // OAuth2 refresh-token grant, as docker does with an identity token.
            tokenRequest.Method = HttpMethod.Post;
            tokenRequest.RequestUri = realm;
            query.Add(new("grant_type", "refresh_token"));
            query.Add(new("refresh_token", refreshToken));
            query.Add(new("client_id", "containers-dotnet"));
            tokenRequest.Content = new FormUrlEncodedContent(query);
        }
        else
        {
            tokenRequest.Method = HttpMethod.Get;
            string separator = string.IsNullOrEmpty(realm.Query) ? "?" : "&";
            string encoded = string.Join('&', query.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
            tokenRequest.RequestUri = new Uri(query.Count == 0 ? realm.AbsoluteUri : realm.AbsoluteUri + separator + encoded);
            if (credential is not null)
            {
                tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Secret)));
            }
        }

        using HttpResponseMessage response = await base.SendAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryAuthenticationException($"token service {realm.Host} refused the {(credential is null ? "anonymous request" : "credentials")} ({(int)response.StatusCode})", response.StatusCode);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryAuthenticationException($"token service {realm.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}", response.StatusCode);
        }

        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            TokenResponse parsed = await OciJson.ReadAsync(body, RegistryAuthJsonContext.Default.TokenResponse, _options.MaxTokenResponseBytes, cancellationToken).ConfigureAwait(false);
            string token = !string.IsNullOrEmpty(parsed.Token) ? parsed.Token
                : !string.IsNullOrEmpty(parsed.AccessToken) ? parsed.AccessToken
                : throw new RegistryAuthenticationException($"token service {realm.Host} returned no token", response.StatusCode);
            TimeSpan lifetime = parsed.ExpiresIn is > 0 ? TimeSpan.FromSeconds(parsed.ExpiresIn.Value) : _options.DefaultTokenLifetime;
            // Refresh a little early so a token never expires between check and use.
            DateTimeOffset issued = parsed.IssuedAt is { } at && at <= DateTimeOffset.UtcNow ? at : DateTimeOffset.UtcNow;
            return new CachedToken(token, issued + (lifetime * 0.9));
        }
    }

    private static Uri ValidateRealm(Uri registryUri, string? realm)
    {
        if (string.IsNullOrEmpty(realm) || !Uri.TryCreate(realm, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryAuthenticationException($"registry {registryUri.Authority} sent an invalid token realm \"{realm}\"", 0);
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new RegistryAuthenticationException($"registry {registryUri.Authority} sent a token realm with user info", 0);
        }

        if (registryUri.Scheme == Uri.UriSchemeHttps && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new RegistryAuthenticationException($"registry {registryUri.Authority} (https) sent a plain-http token realm {uri.Host}; refused", 0);
        }

        return uri;
    }

    private bool MayReceiveCredentials(Uri registryUri, Uri realm)
    {
        if (string.Equals(registryUri.Host, realm.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string registry = RegistryHosts.Canonical(registryUri.Authority);
        return (_options.TrustedRealmHosts.TryGetValue(registry, out ISet<string>? trusted)
                || _options.TrustedRealmHosts.TryGetValue(registryUri.Authority, out trusted))
            && trusted.Contains(realm.Host);
    }
}
