using System.Collections.Concurrent;
using System.Security.Cryptography;
using Containers.Content;
using Containers.Distribution;
using Containers.Images.Pull;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Testing;

namespace Containers.Images.Tests.Pull;

/// <summary><see cref="ImagePuller"/> from the real docker-registry into a <see cref="LocalContentStore"/>.</summary>
[NonParallelizable]
public sealed class ImagePullerTests
{
    private TempDirectory _dir = null!;
    private LocalRegistry _registry = null!;
    private OciTestImage.Result _image = null!;
    private string _layout = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dir = new TempDirectory();
        _registry = await LocalRegistry.StartAsync();
        string extra = _dir.Combine("extra");
        Directory.CreateDirectory(extra);
        await File.WriteAllBytesAsync(Path.Combine(extra, "data.bin"), RandomNumberGenerator.GetBytes(2 * 1024 * 1024));
        _layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(_layout, "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _registry, "test/busybox");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    [Test]
    public async Task Pulls_every_blob_verified_with_gc_labels()
    {
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        using RegistryClient client = new();

        PulledImage pulled = await new ImagePuller(client, store).PullAsync(ImageReference.Parse($"{_registry.Host}/test/busybox:v1"));

        Assert.That(pulled.Manifest.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(pulled.Layers.Select(l => l.Digest.ToString()), Is.EqualTo(_image.LayerDigests));
        Assert.That(pulled.Config.RootFs.DiffIds.Select(d => d.ToString()), Is.EqualTo(_image.DiffIds));
        foreach (string digest in _image.LayerDigests.Append(_image.ConfigDigest).Append(_image.ManifestDigest))
        {
            string stored = store.GetBlobPath(Digest.Parse(digest));
            byte[] expected = await File.ReadAllBytesAsync(Path.Combine(_layout, "blobs", "sha256", digest[7..]));
            Assert.That((await File.ReadAllBytesAsync(stored)).AsSpan().SequenceEqual(expected), Is.True, digest);
        }

        ContentInfo manifest = await store.InfoAsync(Digest.Parse(_image.ManifestDigest));
        Assert.That(manifest.Labels["containerd.io/gc.ref.content.config"], Is.EqualTo(_image.ConfigDigest));
        Assert.That(manifest.Labels["containerd.io/gc.ref.content.l.1"], Is.EqualTo(_image.LayerDigests[1]));
    }

    [Test]
    public async Task Pull_records_the_image_in_the_image_store()
    {
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        SqliteImageStore images = new(root.Combine("metadata.db"));
        using RegistryClient client = new();
        ImagePuller puller = new(client, store, images);

        PulledImage pulled = await puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/busybox:v1"));
        await puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/busybox:v1"));

        Image image = await images.GetAsync($"{_registry.Host}/test/busybox:v1");
        Assert.That(image.Target.Digest, Is.EqualTo(pulled.Target.Digest));
        Assert.That(image.Target.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(await images.ListAsync().CountAsync(), Is.EqualTo(1), "a second pull moves the record, it does not add one");
    }

    [Test]
    public async Task Eight_concurrent_pulls_fetch_each_blob_once()
    {
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        ConcurrentDictionary<string, int> blobGets = new();
        RegistryClientOptions options = new() { CreateHandler = () => new CountingHandler(blobGets, new SocketsHttpHandler()) };
        using RegistryClient client = new(options);
        ImagePuller puller = new(client, store);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => puller.PullAsync(ImageReference.Parse($"{_registry.Host}/test/busybox:v1"))));

        Assert.That(blobGets.Keys, Is.EquivalentTo(_image.LayerDigests.Append(_image.ConfigDigest)));
        Assert.That(blobGets.Values, Is.All.EqualTo(1), string.Join(", ", blobGets));
    }

    [Test]
    public async Task A_corrupted_layer_is_never_committed()
    {
        using TempDirectory root = new();
        LocalContentStore store = new(root.Path);
        using RegistryClient client = new();
        string layout = _dir.Combine("corrupt-layout");
        string extra = _dir.Combine("corrupt-extra");
        OciTestImage.WriteFile(Path.Combine(extra, "x"), "to be corrupted\n");
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(layout, "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(layout, "v1", _registry, "test/corrupt-pull");
        string layer = image.LayerDigests[1];
        string stored = Path.Combine(_registry.StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", layer[7..9], layer[7..], "data");
        byte[] bytes = await File.ReadAllBytesAsync(stored);
        bytes[^5] ^= 0x55;
        await File.WriteAllBytesAsync(stored, bytes);

        Assert.ThrowsAsync<DigestMismatchException>(() => new ImagePuller(client, store).PullAsync(ImageReference.Parse($"{_registry.Host}/test/corrupt-pull:v1")));

        Assert.ThrowsAsync<NotFoundException>(() => store.InfoAsync(Digest.Parse(layer)));
        Assert.That(File.Exists(store.GetBlobPath(Digest.Parse(layer))), Is.False);
    }

    [Test]
    public void A_missing_tag_is_not_found()
    {
        using TempDirectory root = new();
        using RegistryClient client = new();

        Assert.ThrowsAsync<NotFoundException>(() => new ImagePuller(client, new LocalContentStore(root.Path)).PullAsync(ImageReference.Parse($"{_registry.Host}/test/busybox:nope")));
    }

    private sealed class CountingHandler(ConcurrentDictionary<string, int> counts, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri!.AbsolutePath;
            int at = path.IndexOf("/blobs/sha256:", StringComparison.Ordinal);
            if (request.Method == HttpMethod.Get && at >= 0)
            {
                counts.AddOrUpdate(path[(at + 7)..], 1, (_, n) => n + 1);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
