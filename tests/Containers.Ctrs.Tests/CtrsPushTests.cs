using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary><c>ctrs images push</c> and the registry options of pull/push, as a process against Debian's docker-registry.</summary>
[TestFixture]
public sealed class CtrsPushTests
{
    private LocalRegistry _registry = null!;
    private TempDirectory _dir = null!;
    private OciTestImage.Result _image = null!;
    private string _reference = null!;

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        TestHost.RequireTool(LocalRegistry.RegistryPath, "docker-registry");
        _dir = new TempDirectory("ctrs-push-test-");
        _registry = await LocalRegistry.StartAsync();
        string layout = _dir.Combine("layout");
        string extra = _dir.Combine("extra");
        OciTestImage.WriteFile(Path.Combine(extra, "hello.txt"), "pushed by ctrs\n");
        _image = await OciTestImage.WriteBusyboxAsync(layout, "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(layout, "v1", _registry, "ctrs/source");
        _reference = $"{_registry.Host}/ctrs/source:v1";
    }

    [OneTimeTearDown]
    public async Task StopRegistry()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        _dir?.Dispose();
    }

    [Test]
    public async Task Push_of_a_pulled_image_mounts_its_blobs_then_a_second_push_finds_them()
    {
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", "--plain-http", _reference)).EnsureSuccess("pull");
        string target = $"{_registry.Host}/ctrs/target:v1";

        ToolResult push = await CtrsAsync(root, "images", "push", "--plain-http", target, _reference);
        ToolResult again = await CtrsAsync(root, "images", "push", "--plain-http", target, _reference);

        Assert.That(push.ExitCode, Is.EqualTo(0), push.StandardError);
        foreach (string blob in _image.LayerDigests.Append(_image.ConfigDigest))
        {
            Assert.That(push.StandardOutput, Does.Contain($"{blob}: mounted"), "pulled from ctrs/source on the same registry");
            Assert.That(again.StandardOutput, Does.Contain($"{blob}: exists"));
        }

        Assert.That(push.StandardOutput, Does.Contain($"{target}: {_image.ManifestDigest} (0 uploaded, {_image.LayerDigests.Count + 1} mounted, 0 already there)"));
        Assert.That(push.StandardOutput, Does.Not.Contain("\u001b["), "plain lines when stdout is a pipe");
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "ctrs/target", "v1"), Is.EqualTo(_image.ManifestDigest));
    }

    [Test]
    public async Task Push_with_user_against_a_basic_auth_registry()
    {
        TestHost.RequireTool("/usr/bin/htpasswd", "apache2-utils");
        using TempDirectory auth = new("ctrs-htpasswd-");
        ToolResult htpasswd = await Tool.RunCheckedAsync("/usr/bin/htpasswd", "-Bbn", "ctrs", "pa55");
        await File.WriteAllTextAsync(auth.Combine("htpasswd"), htpasswd.StandardOutput);
        await using LocalRegistry secured = await LocalRegistry.StartAsync(LocalRegistry.HtpasswdAuth(auth.Combine("htpasswd")));
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", _reference)).EnsureSuccess("pull");
        string target = $"{secured.Host}/ctrs/private:v1";

        ToolResult anonymous = await CtrsAsync(root, "images", "push", target, _reference);
        ToolResult push = await CtrsAsync(root, "images", "push", "--user", "ctrs:pa55", target, _reference);

        Assert.That(anonymous.ExitCode, Is.EqualTo(1));
        Assert.That(anonymous.StandardError, Does.StartWith("ctrs: RegistryAuthenticationException"));
        Assert.That(push.ExitCode, Is.EqualTo(0), push.StandardError);
        Assert.That(push.StandardOutput, Does.Contain($"({_image.LayerDigests.Count + 1} uploaded, 0 mounted, 0 already there)"), "another registry: nothing to mount from");
        ToolResult inspect = await Tool.RunCheckedAsync("/usr/bin/skopeo", "inspect", "--tls-verify=false", "--creds", "ctrs:pa55", "--format", "{{.Digest}}", $"docker://{target}");
        Assert.That(inspect.StandardOutput.Trim(), Is.EqualTo(_image.ManifestDigest));
    }

    [Test]
    public async Task Pull_takes_platform_options_and_refuses_bad_ones()
    {
        using TempDirectory root = new("ctrs-root-");

        ToolResult host = await CtrsAsync(root, "images", "pull", "--platform", "linux/" + OciTestImage.HostArchitecture(), _reference);
        ToolResult bad = await CtrsAsync(root, "images", "pull", "--platform", "not a platform", _reference);
        ToolResult both = await CtrsAsync(root, "images", "pull", "--platform", "linux/amd64", "--all-platforms", _reference);
        ToolResult unknownImage = await CtrsAsync(root, "images", "push", $"{_registry.Host}/ctrs/none:v1", "no/such:image");

        Assert.That(host.ExitCode, Is.EqualTo(0), host.StandardError);
        Assert.That(host.StandardOutput, Does.Contain($"{_reference}: {_image.ManifestDigest}"));
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.StandardError, Does.StartWith("ctrs: --platform"));
        Assert.That(both.ExitCode, Is.EqualTo(2));
        Assert.That(unknownImage.ExitCode, Is.EqualTo(1));
        Assert.That(unknownImage.StandardError, Does.StartWith("ctrs: NotFoundException"));
    }

    private static Task<ToolResult> CtrsAsync(TempDirectory root, params string[] args) => CtrsProcess.RunAsync(root, args);
}
