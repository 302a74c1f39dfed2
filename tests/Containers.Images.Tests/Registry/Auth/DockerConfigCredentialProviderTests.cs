using System.Text;
using Containers.Registry;
using Containers.Registry.Auth;
using Containers.Testing;

namespace Containers.Images.Tests.Registry.Auth;

public sealed class DockerConfigCredentialProviderTests
{
    [Test]
    public async Task Reads_auth_and_folds_docker_hub_aliases()
    {
        using TempDirectory dir = new();
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pa:ss"));
        string json = """{"auths":{"https://index.docker.io/v1/":{"auth":"AUTH"},"127.0.0.1:5000":{"username":"bob","password":"pw"}}}""".Replace("AUTH", auth, StringComparison.Ordinal);
        string path = await WriteAsync(dir, json);
        DockerConfigCredentialProvider provider = new(path);

        RegistryCredentials? hub = await provider.GetCredentialAsync("docker.io");
        RegistryCredentials? local = await provider.GetCredentialAsync("127.0.0.1:5000");
        RegistryCredentials? none = await provider.GetCredentialAsync("example.com");

        Assert.That(hub, Is.EqualTo(new RegistryCredentials("alice", "pa:ss")));
        Assert.That(local, Is.EqualTo(new RegistryCredentials("bob", "pw")));
        Assert.That(none, Is.Null);
        Assert.That(hub!.ToString(), Does.Not.Contain("pa:ss"), "secrets stay out of ToString");
    }

    [Test]
    public void Bad_base64_names_the_field()
    {
        using TempDirectory dir = new();
        string path = WriteAsync(dir, """{"auths":{"r.example":{"auth":"%%%"}}}""").GetAwaiter().GetResult();

        InvalidSpecException? error = Assert.ThrowsAsync<InvalidSpecException>(async () => await new DockerConfigCredentialProvider(path).GetCredentialAsync("r.example"));

        Assert.That(error!.JsonPath, Is.EqualTo("auths['r.example'].auth"));
    }

    [Test]
    public void Malformed_json_names_the_field()
    {
        using TempDirectory dir = new();
        string path = WriteAsync(dir, """{"auths":{"r.example":{"auth":42}}}""").GetAwaiter().GetResult();

        InvalidSpecException? error = Assert.ThrowsAsync<InvalidSpecException>(async () => await new DockerConfigCredentialProvider(path).GetCredentialAsync("r.example"));

        Assert.That(error!.JsonPath, Is.EqualTo("auths['r.example'].auth"));
        Assert.That(error.Problem, Is.EqualTo("expected string, got number"));
    }

    [Test]
    public void A_missing_credential_helper_is_a_clear_error_not_an_anonymous_pull()
    {
        using TempDirectory dir = new();
        string path = WriteAsync(dir, """{"auths":{"r.example":{}},"credHelpers":{"gcr.io":"gcloud"},"credsStore":"desktop"}""").GetAwaiter().GetResult();
        DockerConfigCredentialProvider provider = new(path);
        provider.HelperDirectories.Add(dir.Path); // holds no helper

        CredentialHelperException? gcloud = Assert.ThrowsAsync<CredentialHelperException>(async () => await provider.GetCredentialAsync("gcr.io"));
        CredentialHelperException? desktop = Assert.ThrowsAsync<CredentialHelperException>(async () => await provider.GetCredentialAsync("r.example"));

        Assert.That(gcloud!.Helper, Is.EqualTo("gcloud"));
        Assert.That(gcloud.Message, Does.Contain("docker-credential-gcloud").And.Contain("not found"));
        Assert.That(desktop!.Helper, Is.EqualTo("desktop"));
    }

    [Test]
    public async Task A_missing_file_means_anonymous()
    {
        using TempDirectory dir = new();

        Assert.That(await new DockerConfigCredentialProvider(dir.Combine("absent.json")).GetCredentialAsync("docker.io"), Is.Null);
    }

    private static async Task<string> WriteAsync(TempDirectory dir, string json)
    {
        string path = dir.Combine("config.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }
}
