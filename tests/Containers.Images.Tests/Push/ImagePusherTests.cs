using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Content;
using Containers.Distribution;
using Containers.Images.Layout;
using Containers.Images.Pull;
using Containers.Images.Push;
using Containers.Images.Tests.Layout;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Registry.Auth;
using Containers.Testing;

namespace Containers.Images.Tests.Push;

/// <summary><see cref="ImagePusher"/> from a <see cref="LocalContentStore"/> to the real docker-registry, with skopeo as the oracle.</summary>
[NonParallelizable]
public sealed class ImagePusherTests
{
    private const string User = "pusher";
    private const string Password = "s3cret-push";

    private TempDirectory _dir = null!;
    private LocalRegistry _registry = null!;
    private OciTestImage.Result _image = null!;
    private string _layout = null!;
    private string _indexLayout = null!;
    private string _indexDigest = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dir = new TempDirectory();
        _registry = await LocalRegistry.StartAsync();
        string extra = _dir.Combine("extra");
        Directory.CreateDirectory(extra);
        // Incompressible, so the layer is larger than the chunk threshold the tests set.
        await File.WriteAllBytesAsync(Path.Combine(extra, "data.bin"), RandomNumberGenerator.GetBytes(3 * 1024 * 1024));
        _layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(_layout, "v1", [extra]);
        _indexLayout = _dir.Combine("index-layout");
        _indexDigest = WriteIndexedCopy(_layout, _indexLayout, _image, "v1");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    [Test]
    public async Task Pushed_image_reads_back_through_skopeo_with_identical_digests_and_bytes()
    {
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _layout);
        RequestLog log = new();
        // A 1 MiB threshold and 256 KiB chunks: the 3 MiB layer goes up in PATCH chunks, the rest in one PUT.
        using RegistryClient client = new(new RegistryClientOptions
        {
            ChunkedUploadThreshold = 1024 * 1024,
            UploadChunkSize = 256 * 1024,
            CreateHandler = () => new CountingHandler(log, new SocketsHttpHandler()),
        });
        List<PushProgress> reports = [];

        PushedImage pushed = await new ImagePusher(client, stores.Content).PushAsync(
            ImageReference.Parse($"{_registry.Host}/test/pushed:v1"), image.Target, progress: new SyncProgress<PushProgress>(reports));

        Assert.That(pushed.Target.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(pushed.UploadedBlobs, Is.EqualTo(_image.LayerDigests.Count + 1));
        Assert.That(log.Count("PATCH"), Is.GreaterThanOrEqualTo(12), "the 3 MiB layer went up in 256 KiB chunks");
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "test/pushed", "v1"), Is.EqualTo(_image.ManifestDigest));

        string copy = _dir.Combine("skopeo-copy-" + Guid.NewGuid().ToString("N"));
        await Tool.RunCheckedAsync(Skopeo.Path, "copy", "--quiet", "--src-tls-verify=false", $"docker://{_registry.Host}/test/pushed:v1", $"oci:{copy}:v1");
        Assert.That(await Skopeo.DigestAsync($"oci:{copy}:v1"), Is.EqualTo(_image.ManifestDigest));
        Assert.That(await Skopeo.DiffIdsAsync($"oci:{copy}:v1"), Is.EqualTo(_image.DiffIds));
        foreach (string digest in _image.LayerDigests.Append(_image.ConfigDigest).Append(_image.ManifestDigest))
        {
            byte[] ours = await File.ReadAllBytesAsync(Path.Combine(_layout, "blobs", "sha256", digest[7..]));
            byte[] theirs = await File.ReadAllBytesAsync(Path.Combine(copy, "blobs", "sha256", digest[7..]));
            Assert.That(theirs.AsSpan().SequenceEqual(ours), Is.True, digest);
        }

        PushProgress last = reports[^1];
        Assert.That(last.Phase, Is.EqualTo(PushPhase.Done));
        Assert.That(last.TotalBlobs, Is.EqualTo(_image.LayerDigests.Count + 1));
        Assert.That(reports.Where(r => r.Transfer?.State == TransferState.Done).Select(r => r.Transfer!.Descriptor.Digest.ToString()),
            Is.EquivalentTo(_image.LayerDigests.Append(_image.ConfigDigest)));
        Assert.That(reports.Where(r => r.Transfer?.State == TransferState.Transferring).Max(r => r.TransferredBytes), Is.LessThanOrEqualTo(last.TotalBytes));
        Assert.That(reports.Select(r => r.Phase).Distinct(), Is.EqualTo(new[] { PushPhase.Walking, PushPhase.PushingBlobs, PushPhase.PushingManifests, PushPhase.Tagging, PushPhase.Done }));
    }

    [Test]
    public async Task Pushing_again_uploads_nothing()
    {
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _layout);
        using (RegistryClient first = new())
        {
            await new ImagePusher(first, stores.Content).PushAsync(ImageReference.Parse($"{_registry.Host}/test/again:v1"), image.Target);
        }

        RequestLog log = new();
        using RegistryClient client = new(new RegistryClientOptions { CreateHandler = () => new CountingHandler(log, new SocketsHttpHandler()) });
        PushedImage pushed = await new ImagePusher(client, stores.Content).PushAsync(ImageReference.Parse($"{_registry.Host}/test/again:v2"), image.Target);

        Assert.That(pushed.UploadedBlobs + pushed.MountedBlobs, Is.Zero);
        Assert.That(pushed.ExistingBlobs, Is.EqualTo(_image.LayerDigests.Count + 1));
        Assert.That(log.Uploads, Is.Empty, "no upload session opened, no byte sent");
        Assert.That(log.Requests.Where(r => r.StartsWith("PUT ", StringComparison.Ordinal)), Is.EqualTo(new[] { "PUT /v2/test/again/manifests/v2" }), "only the new tag is written");
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "test/again", "v2"), Is.EqualTo(_image.ManifestDigest));
    }

    [Test]
    public async Task Blobs_pulled_from_another_repository_of_the_registry_are_mounted_not_uploaded()
    {
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _registry, "test/mount-source");
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        using (RegistryClient puller = new())
        {
            await new ImagePuller(puller, store).PullAsync(ImageReference.Parse($"{_registry.Host}/test/mount-source:v1"));
        }

        ContentInfo layer = await store.InfoAsync(Digest.Parse(_image.LayerDigests[1]));
        // containerd 1.6 keys the label by host name without the port (checked against `ctr content fetch`).
        Assert.That(layer.Labels["containerd.io/distribution.source.127.0.0.1"], Is.EqualTo("test/mount-source"), "the puller records the source as containerd does");

        RequestLog log = new();
        using RegistryClient client = new(new RegistryClientOptions { CreateHandler = () => new CountingHandler(log, new SocketsHttpHandler()) });
        Descriptor manifest = new() { MediaType = MediaTypes.ImageManifest, Digest = Digest.Parse(_image.ManifestDigest), Size = _image.ManifestSize };
        PushedImage pushed = await new ImagePusher(client, store).PushAsync(ImageReference.Parse($"{_registry.Host}/test/mount-target:v1"), manifest);

        Assert.That(pushed.MountedBlobs, Is.EqualTo(_image.LayerDigests.Count + 1));
        Assert.That(pushed.UploadedBlobs, Is.Zero);
        Assert.That(log.Uploads, Has.All.Contains("mount="), "every upload request was a mount");
        Assert.That(log.Count("PATCH"), Is.Zero);
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "test/mount-target", "v1"), Is.EqualTo(_image.ManifestDigest));
    }

    [Test]
    public async Task A_second_pull_from_another_repository_adds_it_to_the_source_label()
    {
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _registry, "test/source-a");
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _registry, "test/source-b");
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        using RegistryClient client = new();
        ImagePuller puller = new(client, store);

        await puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/source-a:v1"));
        await puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/source-b:v1"));
        await puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/source-a:v1"));

        foreach (string digest in _image.LayerDigests.Append(_image.ConfigDigest).Append(_image.ManifestDigest))
        {
            ContentInfo info = await store.InfoAsync(Digest.Parse(digest));
            Assert.That(info.Labels["containerd.io/distribution.source.127.0.0.1"], Is.EqualTo("test/source-a,test/source-b"), digest);
        }
    }

    [Test]
    public async Task An_index_is_pushed_whole_with_all_platforms_or_as_the_one_manifest_chosen()
    {
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _indexLayout);
        Assert.That(image.Target.MediaType, Is.EqualTo(MediaTypes.ImageIndex));
        using RegistryClient client = new();
        ImagePusher pusher = new(client, stores.Content);

        PushedImage all = await pusher.PushAsync(ImageReference.Parse($"{_registry.Host}/test/indexed:all"), image.Target, new PushOptions { AllPlatforms = true });
        PushedImage one = await pusher.PushAsync(ImageReference.Parse($"{_registry.Host}/test/indexed:one"), image.Target);

        Assert.That(all.Target.Digest.ToString(), Is.EqualTo(_indexDigest));
        Assert.That(all.Manifests.Select(m => m.Digest.ToString()), Is.EqualTo(new[] { _image.ManifestDigest, _indexDigest }), "children first, then the index");
        ToolResult raw = await Tool.RunCheckedAsync(Skopeo.Path, "inspect", "--raw", "--tls-verify=false", $"docker://{_registry.Host}/test/indexed:all");
        Assert.That("sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw.StandardOutput))), Is.EqualTo(_indexDigest));
        Assert.That(one.Target.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "test/indexed", "one"), Is.EqualTo(_image.ManifestDigest));
        Assert.ThrowsAsync<NotFoundException>(() => pusher.PushAsync(ImageReference.Parse($"{_registry.Host}/test/indexed:none"), image.Target,
            new PushOptions { Platform = PlatformMatcher.OnlyStrict(Platforms.Parse("windows/arm64")) }));
    }

    [Test]
    public async Task Push_with_basic_auth()
    {
        TestHost.RequireTool("/usr/bin/htpasswd", "apache2-utils");
        using TempDirectory auth = new();
        ToolResult htpasswd = await Tool.RunCheckedAsync("/usr/bin/htpasswd", "-Bbn", User, Password);
        await File.WriteAllTextAsync(auth.Combine("htpasswd"), htpasswd.StandardOutput);
        await using LocalRegistry registry = await LocalRegistry.StartAsync(LocalRegistry.HtpasswdAuth(auth.Combine("htpasswd")));
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _layout);
        ImageReference reference = ImageReference.Parse($"{registry.Host}/test/private:v1");

        using (RegistryClient anonymous = new())
        {
            Assert.ThrowsAsync<RegistryAuthenticationException>(() => new ImagePusher(anonymous, stores.Content).PushAsync(reference, image.Target));
        }

        RegistryClientOptions options = new() { ChunkedUploadThreshold = 1024 * 1024, UploadChunkSize = 512 * 1024 };
        options.Auth.Credentials = new StaticCredentialProvider(new Dictionary<string, RegistryCredentials> { [registry.Host] = new(User, Password) });
        using RegistryClient client = new(options);
        PushedImage pushed = await new ImagePusher(client, stores.Content).PushAsync(reference, image.Target);

        Assert.That(pushed.UploadedBlobs, Is.EqualTo(_image.LayerDigests.Count + 1));
        ToolResult inspect = await Tool.RunCheckedAsync(Skopeo.Path, "inspect", "--tls-verify=false", "--creds", $"{User}:{Password}", "--format", "{{.Digest}}", $"docker://{reference}");
        Assert.That(inspect.StandardOutput.Trim(), Is.EqualTo(_image.ManifestDigest));
    }

    [Test]
    public async Task A_blob_missing_from_the_store_fails_before_anything_is_sent_or_tagged()
    {
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _layout);
        await stores.Content.DeleteAsync(Digest.Parse(_image.LayerDigests[1]));
        RequestLog log = new();
        using RegistryClient client = new(new RegistryClientOptions { CreateHandler = () => new CountingHandler(log, new SocketsHttpHandler()) });

        NotFoundException error = Assert.ThrowsAsync<NotFoundException>(() =>
            new ImagePusher(client, stores.Content).PushAsync(ImageReference.Parse($"{_registry.Host}/test/missing:v1"), image.Target))!;

        Assert.That(error.Message, Does.Contain(_image.LayerDigests[1]));
        Assert.That(log.Requests, Is.Empty, "nothing was sent to the registry");
        using RegistryClient check = new();
        Assert.ThrowsAsync<NotFoundException>(() => check.ResolveAsync(new RegistryRepository(_registry.Host, "test/missing"), "v1"));
    }

    [Test]
    public async Task A_cancelled_push_stops_and_tags_nothing()
    {
        using ImageStores stores = new();
        Image image = await ImportAsync(stores, _layout);
        using CancellationTokenSource cancel = new();
        using RegistryClient client = new(new RegistryClientOptions { UploadChunkSize = 256 * 1024, ChunkedUploadThreshold = 512 * 1024 });
        // Cancel as soon as the first bytes of a blob have gone out.
        IProgress<PushProgress> progress = new SyncProgress<PushProgress>(p =>
        {
            if (p.Transfer?.State == TransferState.Transferring)
            {
                cancel.Cancel();
            }
        });

        Assert.CatchAsync<OperationCanceledException>(() => new ImagePusher(client, stores.Content).PushAsync(
            ImageReference.Parse($"{_registry.Host}/test/cancelled:v1"), image.Target, progress: progress, cancellationToken: cancel.Token));

        Assert.ThrowsAsync<NotFoundException>(() => client.ResolveAsync(new RegistryRepository(_registry.Host, "test/cancelled"), "v1"));
    }

    private static async Task<Image> ImportAsync(ImageStores stores, string layout) =>
        (await new OciLayoutImporter(stores.Content, stores.Images).ImportDirectoryAsync(layout, new OciImportOptions { BaseName = "example.test/push" })).Single();

    /// <summary>Copies <paramref name="source"/> into a layout whose index.json names an image index over the one manifest; returns the index digest.</summary>
    private static string WriteIndexedCopy(string source, string target, OciTestImage.Result image, string tag)
    {
        string blobs = Path.Combine(target, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        foreach (string file in Directory.GetFiles(Path.Combine(source, "blobs", "sha256")))
        {
            File.Copy(file, Path.Combine(blobs, Path.GetFileName(file)));
        }

        JsonObject index = new()
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ImageIndex,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageManifest,
                ["digest"] = image.ManifestDigest,
                ["size"] = image.ManifestSize,
                ["platform"] = new JsonObject { ["architecture"] = OciTestImage.HostArchitecture(), ["os"] = "linux" },
            }),
        };
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(index);
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        File.WriteAllBytes(Path.Combine(blobs, hex), bytes);
        JsonObject top = new()
        {
            ["schemaVersion"] = 2,
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = MediaTypes.ImageIndex,
                ["digest"] = "sha256:" + hex,
                ["size"] = bytes.Length,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
            }),
        };
        File.WriteAllText(Path.Combine(target, "index.json"), top.ToJsonString());
        File.WriteAllText(Path.Combine(target, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return "sha256:" + hex;
    }

    /// <summary>Every request the client sent, as "METHOD path?query".</summary>
    private sealed class RequestLog
    {
        private readonly ConcurrentQueue<string> _requests = new();

        public IReadOnlyList<string> Requests => [.. _requests];

        /// <summary>Requests that open, feed or finish a blob upload (including mounts).</summary>
        public IReadOnlyList<string> Uploads => [.. _requests.Where(r => r.Contains("/blobs/uploads/", StringComparison.Ordinal))];

        public void Add(HttpRequestMessage request) => _requests.Enqueue($"{request.Method} {request.RequestUri!.PathAndQuery}");

        public int Count(string method) => _requests.Count(r => r.StartsWith(method + " ", StringComparison.Ordinal));
    }

    private sealed class CountingHandler(RequestLog log, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            log.Add(request);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public SyncProgress(List<T> into)
            : this(value =>
            {
                lock (into)
                {
                    into.Add(value);
                }
            })
        {
        }

        public void Report(T value) => report(value);
    }
}
