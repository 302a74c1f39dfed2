using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Images.Tests.Registry.Auth;

/// <summary>
/// A small distribution token server for the tests: it checks Basic credentials, signs RS256 JWTs
/// with a self-signed certificate (which the real docker-registry trusts through its
/// rootcertbundle) and records what each request carried.
/// </summary>
internal sealed class TestTokenServer : IAsyncDisposable
{
    public const string Issuer = "containers-dotnet-test-issuer";
    public const string Service = "containers-dotnet-test-registry";

    private readonly HttpListener _listener = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly Task _loop;
    private readonly string _user;
    private readonly string _password;

    public TestTokenServer(string user, string password)
    {
        _user = user;
        _password = password;
        CertificateRequest request = new("CN=containers-dotnet test token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Prefixes.Add($"http://localhost:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Every token request: (had credentials, user if valid, scopes asked).</summary>
    public List<(bool HadCredentials, string? User, string[] Scopes)> Requests { get; } = [];

    public string Realm(string host = "127.0.0.1") => $"http://{host}:{Port}/token";

    /// <summary>Writes the signing certificate as PEM for the registry's rootcertbundle.</summary>
    public string WriteCertificateBundle(string directory)
    {
        string path = Path.Combine(directory, "token-signer.pem");
        File.WriteAllText(path, _certificate.ExportCertificatePem());
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _listener.Close();
        _certificate.Dispose();
        _key.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Handle(context);
        }
    }

    private void Handle(HttpListenerContext context)
    {
        string? header = context.Request.Headers["Authorization"];
        string? user = null;
        bool hadCredentials = header is not null;
        if (header is not null && header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
            if (decoded == _user + ":" + _password)
            {
                user = _user;
            }
            else
            {
                lock (Requests)
                {
                    Requests.Add((true, null, []));
                }

                context.Response.StatusCode = 401;
                context.Response.Close();
                return;
            }
        }

        string[] scopes = context.Request.QueryString.GetValues("scope") ?? [];
        lock (Requests)
        {
            Requests.Add((hadCredentials, user, scopes));
        }

        byte[] body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new JsonObject
        {
            ["token"] = CreateJwt(user, scopes),
            ["expires_in"] = 300,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("O"),
        }));
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
        context.Response.Close();
    }

    private string CreateJwt(string? user, string[] scopes)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        JsonArray access = [];
        if (user is not null)
        {
            foreach (string scope in scopes)
            {
                // repository:NAME:ACTIONS — NAME may not contain ':' in these tests.
                string[] parts = scope.Split(':');
                JsonArray actions = [];
                foreach (string action in parts[2].Split(','))
                {
                    actions.Add(action);
                }

                access.Add(new JsonObject { ["type"] = parts[0], ["name"] = parts[1], ["actions"] = actions });
            }
        }

        JsonObject headerJson = new()
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        JsonObject claims = new()
        {
            ["iss"] = Issuer,
            ["sub"] = user ?? string.Empty,
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        string signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(headerJson)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
