using System.Security.Cryptography;
using Containers.Content;
using Containers.Snapshots;
using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary><c>ctrs gc</c> as a process over a root filled by <c>ctrs images pull</c>.</summary>
[TestFixture]
public sealed class CtrsGcTests
{
    [Test]
    public async Task Gc_removes_what_no_image_references_and_prints_it()
    {
        if (!File.Exists(LocalRegistry.RegistryPath))
        {
            Assert.Ignore($"{LocalRegistry.RegistryPath} is not installed");
        }

        using TempDirectory dir = new("ctrs-gc-");
        await using LocalRegistry registry = await LocalRegistry.StartAsync();
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(dir.Combine("layout"), "v1");
        await OciTestImage.PushWithSkopeoAsync(dir.Combine("layout"), "v1", registry, "ctrs/gc");
        string reference = $"{registry.Host}/ctrs/gc:v1";
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "pull", "--plain-http", reference)).EnsureSuccess("pull");

        // A blob nothing references, written by another writer of the same store.
        byte[] data = RandomNumberGenerator.GetBytes(1000);
        string garbage = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        var store = new LocalContentStore(root.Combine("content"));
        await using (IContentWriter writer = await store.OpenWriterAsync(new ContentWriterOptions { Ref = "stray" }))
        {
            await writer.WriteAsync(data);
            await writer.CommitAsync(data.Length, Digest.Parse(garbage));
        }

        ToolResult gc = await CtrsAsync(root, "gc");
        Assert.That(gc.ExitCode, Is.EqualTo(0), gc.StandardError);
        string[] imageBlobs = [image.ManifestDigest, image.ConfigDigest, .. image.LayerDigests];
        Assert.That(gc.StandardOutput, Does.Contain($"removed content {garbage}"));
        Assert.That(gc.StandardOutput, Does.Contain("gc: 1 removed, 1000 bytes freed"));
        foreach (string digest in imageBlobs)
        {
            Assert.That(gc.StandardOutput, Does.Not.Contain(digest));
            Assert.That(File.Exists(store.GetBlobPath(Digest.Parse(digest))), Is.True, digest);
        }

        (await CtrsAsync(root, "images", "rm", reference)).EnsureSuccess("images rm");
        ToolResult second = await CtrsAsync(root, "gc");
        Assert.That(second.ExitCode, Is.EqualTo(0), second.StandardError);
        foreach (string digest in imageBlobs)
        {
            Assert.That(second.StandardOutput, Does.Contain($"removed content {digest}"));
        }

        ToolResult ls = await CtrsAsync(root, "content", "ls");
        Assert.That(ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("sha256:", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task Gc_cleans_up_the_snapshotter_it_swept_and_deletes_what_a_crash_left_there()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("needs root (the native snapshotter keeps owners)");
        }

        using TempDirectory root = new("ctrs-root-");
        string nativeRoot = root.Combine("snapshots", "native");
        await using (var native = new NativeSnapshotter(nativeRoot))
        {
            await native.PrepareAsync("junk-extract", null);
            await native.CommitAsync("junk", "junk-extract");
        }

        // A create whose directory rename was kept and whose record commit was lost (a crash).
        string snapshots = Path.Combine(nativeRoot, "snapshots");
        string leftover = Path.Combine(snapshots, "9000");
        Directory.CreateDirectory(Path.Combine(leftover, "fs", "half"));

        ToolResult gc = await CtrsAsync(root, "gc");
        Assert.That(gc.ExitCode, Is.EqualTo(0), gc.StandardError);
        Assert.That(gc.StandardOutput, Does.Contain("removed snapshot native/junk"));
        Assert.That(Directory.Exists(leftover), Is.False, "ctrs gc did not clean up the native snapshotter");
        Assert.That(Directory.GetDirectories(snapshots), Is.Empty);
    }

    private static Task<ToolResult> CtrsAsync(TempDirectory root, params string[] args) => CtrsProcess.RunAsync(root, args);
}
