using System.Net;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Registry.Auth;
using Containers.Testing;

namespace Containers.Images.Tests.Registry.Auth;

/// <summary>
/// docker credential helpers run by <see cref="DockerConfigCredentialProvider"/>: shell-script
/// helpers in a temp directory, against Debian's docker-registry with htpasswd auth.
/// </summary>
public sealed class CredentialHelperTests
{
    private const string User = "helperuser";
    private const string Password = "helper-s3cret";

    [Test]
    public async Task A_pull_with_credentials_from_the_helper_succeeds_and_without_them_is_refused()
    {
        using TempDirectory dir = new();
        await using LocalRegistry registry = await StartBasicRegistryAsync(dir);
        // Echoes what it read on stdin into a file, so the test sees the server URL it was asked for.
        WriteHelper(dir, "test", $"#!/bin/sh\n[ \"$1\" = get ] || exit 3\ncat > '{dir.Combine("asked")}'\nprintf '%s' '{{\"ServerURL\":\"x\",\"Username\":\"{User}\",\"Secret\":\"{Password}\"}}'\n");
        DockerConfigCredentialProvider provider = Provider(dir, $$$"""{"credHelpers":{"{{{registry.Host}}}":"test"}}""");

        byte[] blob = "hello from a helper-authenticated push"u8.ToArray();
        Descriptor descriptor = new() { MediaType = MediaTypes.ImageConfig, Digest = Digest.Compute(blob, DigestAlgorithm.Sha256), Size = blob.Length };
        RegistryRepository repo = new(registry.Host, "test/helper");
        RegistryClientOptions options = new() { Auth = new RegistryAuthOptions { Credentials = provider } };
        using (RegistryClient client = new(options))
        {
            await client.PushBlobAsync(repo, descriptor, new MemoryStream(blob));
            using MemoryStream pulled = new();
            await client.CopyBlobAsync(repo, descriptor, pulled);
            Assert.That(pulled.ToArray(), Is.EqualTo(blob));
        }

        Assert.That(await File.ReadAllTextAsync(dir.Combine("asked")), Is.EqualTo(registry.Host));
        using RegistryClient anonymous = new(new RegistryClientOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
        RegistryAuthenticationException? refused = Assert.ThrowsAsync<RegistryAuthenticationException>(async () => await anonymous.CopyBlobAsync(repo, descriptor, new MemoryStream()));
        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Credentials_not_found_means_anonymous_and_a_token_user_is_an_identity_token()
    {
        using TempDirectory dir = new();
        WriteHelper(dir, "none", "#!/bin/sh\necho 'credentials not found in native keychain'\nexit 1\n");
        WriteHelper(dir, "tok", "#!/bin/sh\necho '{\"Username\":\"<token>\",\"Secret\":\"refresh-123\"}'\n");
        DockerConfigCredentialProvider provider = Provider(dir, """{"credHelpers":{"a.example":"none","b.example":"tok"}}""");

        Assert.That(await provider.GetCredentialAsync("a.example"), Is.Null);
        RegistryCredentials? token = await provider.GetCredentialAsync("b.example");
        Assert.That(token, Is.EqualTo(new RegistryCredentials(string.Empty, "refresh-123") { IsIdentityToken = true }));
    }

    [TestCase("#!/bin/sh\necho 'this is not json'\n", "not {\"Username\",\"Secret\"} JSON")]
    [TestCase("#!/bin/sh\necho '{\"Username\":\"u\"}'\n", "without Username or Secret")]
    [TestCase("#!/bin/sh\nhead -c 200000 /dev/zero | tr '\\0' a\n", "exceeds 65536 bytes")]
    public async Task A_helper_that_prints_garbage_is_a_typed_error_naming_it(string script, string problem)
    {
        using TempDirectory dir = new();
        WriteHelper(dir, "garbage", script);
        DockerConfigCredentialProvider provider = Provider(dir, """{"credsStore":"garbage"}""");

        CredentialHelperException? error = Assert.ThrowsAsync<CredentialHelperException>(async () => await provider.GetCredentialAsync("r.example"));

        Assert.That(error!.Helper, Is.EqualTo("garbage"));
        Assert.That(error.Message, Does.Contain("docker-credential-garbage").And.Contain(problem));
        await Task.CompletedTask;
    }

    // Without exec the shell's child sleep holds the pipes too: the whole process group is killed.
    [TestCase("#!/bin/sh\nexec sleep 30\n")]
    [TestCase("#!/bin/sh\nsleep 30\necho late\n")]
    public void A_helper_that_hangs_is_killed_after_the_timeout(string script)
    {
        using TempDirectory dir = new();
        WriteHelper(dir, "slow", script);
        DockerConfigCredentialProvider provider = Provider(dir, """{"credsStore":"slow"}""");
        provider.HelperTimeout = TimeSpan.FromMilliseconds(300);

        CredentialHelperException? error = Assert.ThrowsAsync<CredentialHelperException>(async () => await provider.GetCredentialAsync("r.example"));

        Assert.That(error!.Message, Does.Contain("did not answer"));
    }

    private static DockerConfigCredentialProvider Provider(TempDirectory dir, string json)
    {
        string path = dir.Combine("config.json");
        File.WriteAllText(path, json);
        DockerConfigCredentialProvider provider = new(path);
        provider.HelperDirectories.Add(dir.Path);
        return provider;
    }

    private static void WriteHelper(TempDirectory dir, string name, string script)
    {
        string path = dir.Combine("docker-credential-" + name);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static async Task<LocalRegistry> StartBasicRegistryAsync(TempDirectory dir)
    {
        TestHost.RequireTool("/usr/bin/htpasswd", "apache2-utils");
        string file = dir.Combine("htpasswd");
        ToolResult result = await Tool.RunCheckedAsync("/usr/bin/htpasswd", "-Bbn", User, Password);
        await File.WriteAllTextAsync(file, result.StandardOutput);
        return await LocalRegistry.StartAsync(LocalRegistry.HtpasswdAuth(file));
    }
}
