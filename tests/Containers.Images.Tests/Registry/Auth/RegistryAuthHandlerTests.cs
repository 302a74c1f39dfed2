using System.Net;
using Containers.Registry;
using Containers.Registry.Auth;
using Containers.Testing;

namespace Containers.Images.Tests.Registry.Auth;

/// <summary>
/// <see cref="RegistryAuthHandler"/> against Debian's real docker-registry: Basic auth from an
/// htpasswd file, and token auth through <see cref="TestTokenServer"/>.
/// </summary>
[NonParallelizable]
public sealed class RegistryAuthHandlerTests
{
    // The htpasswd files of this test's registries: the registry reads its file while it runs, so
    // the directory goes after the test (the registry is disposed at the end of the test body).
    private readonly List<TempDirectory> _htpasswdDirectories = [];

    private const string User = "tester";
    private const string Password = "s3cret-pass";

    [Test]
    public async Task Basic_auth_with_the_right_password_is_accepted()
    {
        await using LocalRegistry registry = await StartBasicRegistryAsync();
        using HttpClient client = CreateClient(new RegistryAuthOptions { Credentials = Credentials(registry.Host, Password) });

        using HttpResponseMessage response = await client.GetAsync($"http://{registry.Host}/v2/");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Basic_auth_with_a_wrong_password_or_none_stays_unauthorized()
    {
        await using LocalRegistry registry = await StartBasicRegistryAsync();
        using HttpClient wrong = CreateClient(new RegistryAuthOptions { Credentials = Credentials(registry.Host, "wrong") });
        using HttpClient anonymous = CreateClient(new RegistryAuthOptions());

        using HttpResponseMessage wrongResponse = await wrong.GetAsync($"http://{registry.Host}/v2/");
        using HttpResponseMessage anonymousResponse = await anonymous.GetAsync($"http://{registry.Host}/v2/");

        Assert.That(wrongResponse.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(anonymousResponse.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Bearer_token_grants_pull_and_push_scopes_and_is_cached_per_scope()
    {
        await using TestTokenServer tokens = new(User, Password);
        using TempDirectory dir = new();
        await using LocalRegistry registry = await LocalRegistry.StartAsync(
            LocalRegistry.TokenAuth(tokens.Realm(), TestTokenServer.Service, TestTokenServer.Issuer, tokens.WriteCertificateBundle(dir.Path)));
        using HttpClient client = CreateClient(new RegistryAuthOptions { Credentials = Credentials(registry.Host, Password) });

        // Authorized reads of an absent manifest get 404, not 401: the token carried pull.
        using HttpResponseMessage first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://{registry.Host}/v2/test/busybox/manifests/latest"));
        using HttpResponseMessage second = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://{registry.Host}/v2/test/busybox/manifests/other"));
        // Starting an upload needs push.
        using HttpResponseMessage upload = await client.PostAsync($"http://{registry.Host}/v2/test/busybox/blobs/uploads/", null);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        lock (tokens.Requests)
        {
            string[][] scopes = tokens.Requests.Select(r => r.Scopes).ToArray();
            Assert.That(tokens.Requests.All(r => r.User == User), Is.True, "every token request carried the valid credentials");
            Assert.That(scopes.Count(s => s.Contains("repository:test/busybox:pull")), Is.EqualTo(1), "the pull token is fetched once and reused");
            Assert.That(scopes.Count(s => s.Contains("repository:test/busybox:pull,push")), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Credentials_are_not_sent_to_a_realm_on_another_host()
    {
        await using TestTokenServer tokens = new(User, Password);
        using TempDirectory dir = new();
        // The registry is 127.0.0.1:port; its realm names "localhost", another host by name.
        await using LocalRegistry registry = await LocalRegistry.StartAsync(
            LocalRegistry.TokenAuth(tokens.Realm("localhost"), TestTokenServer.Service, TestTokenServer.Issuer, tokens.WriteCertificateBundle(dir.Path)));
        using HttpClient client = CreateClient(new RegistryAuthOptions { Credentials = Credentials(registry.Host, Password) });

        using HttpResponseMessage response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://{registry.Host}/v2/test/busybox/manifests/latest"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "an anonymous token grants nothing");
        lock (tokens.Requests)
        {
            Assert.That(tokens.Requests, Is.Not.Empty);
            Assert.That(tokens.Requests.Any(r => r.HadCredentials), Is.False, "credentials leaked to a foreign realm");
        }
    }

    [Test]
    public async Task A_trusted_realm_host_receives_credentials()
    {
        await using TestTokenServer tokens = new(User, Password);
        using TempDirectory dir = new();
        await using LocalRegistry registry = await LocalRegistry.StartAsync(
            LocalRegistry.TokenAuth(tokens.Realm("localhost"), TestTokenServer.Service, TestTokenServer.Issuer, tokens.WriteCertificateBundle(dir.Path)));
        RegistryAuthOptions options = new() { Credentials = Credentials(registry.Host, Password) };
        options.TrustedRealmHosts[registry.Host] = new HashSet<string> { "localhost" };
        using HttpClient client = CreateClient(options);

        using HttpResponseMessage response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"http://{registry.Host}/v2/test/busybox/manifests/latest"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_invalid_realm_is_a_typed_error()
    {
        using TempDirectory dir = new();
        await using TestTokenServer tokens = new(User, Password);
        await using LocalRegistry registry = await LocalRegistry.StartAsync(
            LocalRegistry.TokenAuth("ftp://127.0.0.1/token", TestTokenServer.Service, TestTokenServer.Issuer, tokens.WriteCertificateBundle(dir.Path)));
        using HttpClient client = CreateClient(new RegistryAuthOptions());

        RegistryAuthenticationException? error = Assert.ThrowsAsync<RegistryAuthenticationException>(
            () => client.GetAsync($"http://{registry.Host}/v2/test/busybox/manifests/latest"));
        Assert.That(error!.Message, Does.Contain("invalid token realm"));
    }

    [Test]
    public async Task Wrong_credentials_at_the_token_service_are_a_typed_error()
    {
        await using TestTokenServer tokens = new(User, Password);
        using TempDirectory dir = new();
        await using LocalRegistry registry = await LocalRegistry.StartAsync(
            LocalRegistry.TokenAuth(tokens.Realm(), TestTokenServer.Service, TestTokenServer.Issuer, tokens.WriteCertificateBundle(dir.Path)));
        using HttpClient client = CreateClient(new RegistryAuthOptions { Credentials = Credentials(registry.Host, "wrong") });

        RegistryAuthenticationException? error = Assert.ThrowsAsync<RegistryAuthenticationException>(
            () => client.GetAsync($"http://{registry.Host}/v2/test/busybox/manifests/latest"));
        Assert.That(error!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static StaticCredentialProvider Credentials(string host, string password) =>
        new(new Dictionary<string, RegistryCredentials> { [host] = new(User, password) });

    private static HttpClient CreateClient(RegistryAuthOptions options) =>
        new(new RegistryAuthHandler(new SocketsHttpHandler(), options)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Removes the htpasswd directories of the test that just ran.</summary>
    [TearDown]
    public void RemoveHtpasswdDirectories()
    {
        foreach (TempDirectory directory in _htpasswdDirectories)
        {
            directory.Dispose();
        }

        _htpasswdDirectories.Clear();
    }

    private async Task<LocalRegistry> StartBasicRegistryAsync()
    {
        TestHost.RequireTool("/usr/bin/htpasswd", "apache2-utils");
        TempDirectory dir = new();
        _htpasswdDirectories.Add(dir);
        string file = dir.Combine("htpasswd");
        ToolResult result = await Tool.RunCheckedAsync("/usr/bin/htpasswd", "-Bbn", User, Password);
        await File.WriteAllTextAsync(file, result.StandardOutput);
        return await LocalRegistry.StartAsync(LocalRegistry.HtpasswdAuth(file));
    }
}
