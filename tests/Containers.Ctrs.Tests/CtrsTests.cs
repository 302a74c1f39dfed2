using System.Security.Cryptography;
using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>ctrs end to end as a process, against Debian's docker-registry on 127.0.0.1.</summary>
[TestFixture]
public sealed class CtrsTests
{
    private LocalRegistry _registry = null!;
    private TempDirectory _dir = null!;
    private OciTestImage.Result _image = null!;
    private string _reference = null!;

    [OneTimeSetUp]
    public async Task StartRegistry()
    {
        if (!File.Exists(LocalRegistry.RegistryPath))
        {
            Assert.Ignore($"{LocalRegistry.RegistryPath} is not installed");
        }

        _dir = new TempDirectory("ctrs-test-");
        _registry = await LocalRegistry.StartAsync();
        string layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(layout, "v1");
        await OciTestImage.PushWithSkopeoAsync(layout, "v1", _registry, "ctrs/busybox");
        _reference = $"{_registry.Host}/ctrs/busybox:v1";
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
    public async Task Pull_then_ls_shows_the_image_with_its_digest()
    {
        using TempDirectory root = new("ctrs-root-");
        ToolResult pull = await CtrsAsync(root, "images", "pull", "--plain-http", _reference);
        Assert.That(pull.ExitCode, Is.EqualTo(0), pull.StandardError);

        ToolResult ls = await CtrsAsync(root, "images", "ls");
        Assert.That(ls.ExitCode, Is.EqualTo(0), ls.StandardError);
        string[] lines = ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("REF"));
        string row = lines.Single(l => l.StartsWith(_reference, StringComparison.Ordinal));
        Assert.That(row, Does.Contain(_image.ManifestDigest));

        ToolResult inspect = await CtrsAsync(root, "images", "inspect", _reference);
        Assert.That(inspect.ExitCode, Is.EqualTo(0), inspect.StandardError);
        Assert.That(inspect.StandardOutput, Does.Contain(_image.ConfigDigest));
    }

    [Test]
    public async Task Pull_progress_is_plain_lines_when_output_is_not_a_terminal()
    {
        using TempDirectory root = new("ctrs-root-");
        ToolResult pull = await CtrsAsync(root, "images", "pull", _reference);
        Assert.That(pull.ExitCode, Is.EqualTo(0), pull.StandardError);
        Assert.That(pull.StandardOutput, Does.Not.Contain("\u001b["), "no terminal escapes when stdout is a pipe");
        foreach (string layer in _image.LayerDigests)
        {
            Assert.That(pull.StandardOutput, Does.Contain($"{layer}: done"));
        }

        Assert.That(pull.StandardOutput, Does.Contain($"{_reference}: {_image.ManifestDigest}"));
    }

    [Test]
    public async Task Content_ls_lists_the_blobs_and_get_outputs_their_bytes()
    {
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", _reference)).EnsureSuccess("pull");

        ToolResult ls = await CtrsAsync(root, "content", "ls");
        Assert.That(ls.ExitCode, Is.EqualTo(0), ls.StandardError);
        foreach (string digest in _image.LayerDigests.Append(_image.ConfigDigest).Append(_image.ManifestDigest))
        {
            Assert.That(ls.StandardOutput, Does.Contain(digest));
        }

        string config = await GetBytesSha256Async(root, _image.ConfigDigest);
        Assert.That(config, Is.EqualTo(_image.ConfigDigest));
        string layer = await GetBytesSha256Async(root, _image.LayerDigests[0]);
        Assert.That(layer, Is.EqualTo(_image.LayerDigests[0]));
    }

    [TestCase("oci")]
    [TestCase("docker-archive")]
    public async Task Export_then_import_into_a_fresh_root_keeps_the_digests(string format)
    {
        using TempDirectory root = new("ctrs-root-");
        using TempDirectory fresh = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", _reference)).EnsureSuccess("pull");
        string archive = root.Combine("image.tar");
        (await CtrsAsync(root, "images", "export", "--format", format, archive, _reference)).EnsureSuccess("export");
        ToolResult import = await CtrsAsync(fresh, "images", "import", "--format", format, archive);
        Assert.That(import.ExitCode, Is.EqualTo(0), import.StandardError);

        ToolResult ls = await CtrsAsync(fresh, "content", "ls");
        foreach (string layer in format == "oci" ? _image.LayerDigests.Append(_image.ConfigDigest).Append(_image.ManifestDigest) : [_image.ConfigDigest])
        {
            Assert.That(ls.StandardOutput, Does.Contain(layer));
        }

        if (format == "oci")
        {
            ToolResult images = await CtrsAsync(fresh, "images", "ls");
            Assert.That(images.StandardOutput, Does.Contain(_image.ManifestDigest));
        }
    }

    [Test]
    public async Task Rm_removes_the_image_record()
    {
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", _reference)).EnsureSuccess("pull");
        ToolResult rm = await CtrsAsync(root, "images", "rm", _reference);
        Assert.That(rm.ExitCode, Is.EqualTo(0), rm.StandardError);

        ToolResult ls = await CtrsAsync(root, "images", "ls");
        Assert.That(ls.StandardOutput, Does.Not.Contain(_reference));

        ToolResult again = await CtrsAsync(root, "images", "rm", _reference);
        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.StandardError, Does.StartWith("ctrs: NotFoundException"));
    }

    [Test]
    public async Task A_bad_reference_is_one_line_and_exit_code_1()
    {
        using TempDirectory root = new("ctrs-root-");
        ToolResult pull = await CtrsAsync(root, "images", "pull", "Bad//Reference");
        Assert.That(pull.ExitCode, Is.EqualTo(1));
        Assert.That(pull.StandardError.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(pull.StandardError, Does.StartWith("ctrs: InvalidReferenceException"));
    }

    private static Task<ToolResult> CtrsAsync(TempDirectory root, params string[] args) => CtrsProcess.RunAsync(root, args);

    private static async Task<string> GetBytesSha256Async(TempDirectory root, string digest)
    {
        string file = root.Combine("got");
        string ctrs = await CtrsProcess.PathAsync();
        // Through a shell redirect so the bytes are compared exactly, not decoded as text.
        ToolResult get = await Tool.RunAsync("/bin/sh", ["-c", "\"$0\" --root \"$1\" content get \"$2\" > \"$3\"", ctrs, root.Path, digest, file]);
        get.EnsureSuccess("content get");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file)));
    }
}
