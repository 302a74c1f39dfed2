using System.Security.Cryptography;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Testing;

namespace Containers.Images.Tests.Registry;

/// <summary>
/// <see cref="RegistryClient"/> against Debian's docker-registry, with skopeo as the oracle: what
/// skopeo pushes we resolve and fetch with identical digests; what we push skopeo reads back.
/// </summary>
[NonParallelizable]
public sealed class RegistryClientTests
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
        string big = _dir.Combine("big");
        Directory.CreateDirectory(big);
        // 24 MiB that gzip cannot shrink: a transfer long enough to interrupt.
        byte[] noise = new byte[24 * 1024 * 1024];
        new Random(42).NextBytes(noise);
        await File.WriteAllBytesAsync(Path.Combine(big, "noise.bin"), noise);
        _layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(_layout, "v1", [big]);
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _registry, "test/busybox");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _registry.DisposeAsync();
        _dir.Dispose();
    }

    private RegistryRepository Repo(string name = "test/busybox") => new(_registry.Host, name);

    [Test]
    public async Task Resolves_a_tag_pushed_by_skopeo_to_the_same_digest()
    {
        using RegistryClient client = new();

        Descriptor resolved = await client.ResolveAsync(Repo(), "v1");

        Assert.That(resolved.Digest.ToString(), Is.EqualTo(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, "test/busybox", "v1")));
        Assert.That(resolved.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(resolved.MediaType, Is.EqualTo(MediaTypes.ImageManifest));
        Assert.That(resolved.Size, Is.EqualTo(_image.ManifestSize));
    }

    [Test]
    public async Task Fetches_manifest_and_blobs_with_identical_bytes()
    {
        using RegistryClient client = new();
        Descriptor resolved = await client.ResolveAsync(Repo(), "v1");

        byte[] manifest = await client.GetManifestAsync(Repo(), resolved);
        Assert.That(manifest, Is.EqualTo(await File.ReadAllBytesAsync(BlobPath(_image.ManifestDigest))));

        foreach (string layer in _image.LayerDigests)
        {
            byte[] expected = await File.ReadAllBytesAsync(BlobPath(layer));
            using MemoryStream copy = new();
            await client.CopyBlobAsync(Repo(), new Descriptor { MediaType = MediaTypes.ImageLayerGzip, Digest = Digest.Parse(layer), Size = expected.Length }, copy);
            Assert.That(copy.ToArray().AsSpan().SequenceEqual(expected), Is.True, layer);
        }
    }

    [Test]
    public async Task A_blob_download_resumes_after_the_registry_restarts_mid_layer()
    {
        using RegistryClient client = new();
        string layer = _image.LayerDigests[1];
        byte[] expected = await File.ReadAllBytesAsync(BlobPath(layer));
        Descriptor descriptor = new() { MediaType = MediaTypes.ImageLayerGzip, Digest = Digest.Parse(layer), Size = expected.Length };

        await using Stream stream = await client.OpenBlobAsync(Repo(), descriptor);
        byte[] buffer = new byte[expected.Length];
        int first = await stream.ReadAtLeastAsync(buffer.AsMemory(0, 1024 * 1024), 1024 * 1024);
        await _registry.RestartAsync(TimeSpan.FromMilliseconds(300));
        await stream.ReadExactlyAsync(buffer.AsMemory(first));

        Assert.That(buffer.AsSpan().SequenceEqual(expected), Is.True, "resumed bytes differ");
        Assert.That(await stream.ReadAsync(new byte[1]), Is.Zero, "no byte past the descriptor's size");
        Assert.That(((ResumableBlobStream)stream).Resumes, Is.GreaterThanOrEqualTo(1), "the transfer really was cut and resumed");
    }

    [Test]
    public async Task A_corrupted_blob_is_a_digest_mismatch()
    {
        // Push a private copy so the corruption does not touch the other tests' blobs.
        using RegistryClient client = new();
        byte[] content = RandomNumberGenerator.GetBytes(4096);
        Descriptor descriptor = new() { MediaType = "application/octet-stream", Digest = Digest.Compute(content), Size = content.Length };
        await client.PushBlobAsync(Repo("test/corrupt"), descriptor, new MemoryStream(content));
        string stored = Path.Combine(_registry.StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", descriptor.Digest.Encoded[..2], descriptor.Digest.Encoded, "data");
        byte[] bytes = await File.ReadAllBytesAsync(stored);
        bytes[100] ^= 0xff;
        await File.WriteAllBytesAsync(stored, bytes);

        using MemoryStream sink = new();
        DigestMismatchException? error = Assert.ThrowsAsync<DigestMismatchException>(() => client.CopyBlobAsync(Repo("test/corrupt"), descriptor, sink));

        Assert.That(error!.Expected, Is.EqualTo(descriptor.Digest));
    }

    [TestCase(0L)]
    [TestCase(256L * 1024)]
    public async Task Images_we_push_are_read_back_by_skopeo(long chunkThreshold)
    {
        RegistryClientOptions options = new() { ChunkedUploadThreshold = chunkThreshold == 0 ? long.MaxValue : chunkThreshold, UploadChunkSize = 128 * 1024 };
        using RegistryClient client = new(options);
        string repository = chunkThreshold == 0 ? "test/pushed-monolithic" : "test/pushed-chunked";

        byte[] config = await File.ReadAllBytesAsync(BlobPath(_image.ConfigDigest));
        await client.PushBlobAsync(Repo(repository), new Descriptor { MediaType = MediaTypes.ImageConfig, Digest = Digest.Parse(_image.ConfigDigest), Size = config.Length }, new MemoryStream(config));
        foreach (string layer in _image.LayerDigests)
        {
            await using FileStream file = File.OpenRead(BlobPath(layer));
            await client.PushBlobAsync(Repo(repository), new Descriptor { MediaType = MediaTypes.ImageLayerGzip, Digest = Digest.Parse(layer), Size = file.Length }, file);
        }

        byte[] manifest = await File.ReadAllBytesAsync(BlobPath(_image.ManifestDigest));
        Digest pushed = await client.PushManifestAsync(Repo(repository), "v1", MediaTypes.ImageManifest, manifest);

        Assert.That(pushed.ToString(), Is.EqualTo(_image.ManifestDigest));
        Assert.That(await OciTestImage.InspectDigestWithSkopeoAsync(_registry, repository, "v1"), Is.EqualTo(_image.ManifestDigest));
        string back = _dir.Combine("back-" + repository.Replace('/', '-'));
        await Tool.RunCheckedAsync("/usr/bin/skopeo", "copy", "--src-tls-verify=false", "--preserve-digests", $"docker://{_registry.Host}/{repository}:v1", $"oci:{back}:v1");
        foreach (string layer in _image.LayerDigests)
        {
            byte[] copied = await File.ReadAllBytesAsync(Path.Combine(back, "blobs", "sha256", layer[7..]));
            byte[] original = await File.ReadAllBytesAsync(BlobPath(layer));
            Assert.That(copied.AsSpan().SequenceEqual(original), Is.True, layer);
        }
    }

    [Test]
    public async Task Cross_repository_mount_shares_a_blob_without_upload()
    {
        using RegistryClient client = new();
        Digest layer = Digest.Parse(_image.LayerDigests[0]);

        bool mounted = await client.MountBlobAsync(Repo("test/mounted"), "test/busybox", layer);

        Assert.That(mounted, Is.True);
        Assert.That(await client.StatBlobAsync(Repo("test/mounted"), layer), Is.EqualTo(new FileInfo(BlobPath(layer.ToString())).Length));
    }

    [Test]
    public void Missing_tag_is_not_found_and_bad_references_are_typed_errors()
    {
        using RegistryClient client = new();

        Assert.ThrowsAsync<NotFoundException>(() => client.ResolveAsync(Repo(), "no-such-tag"));
        Assert.ThrowsAsync<InvalidSpecException>(() => client.ResolveAsync(Repo(), "../../etc"));
        Assert.ThrowsAsync<InvalidDigestException>(() => client.ResolveAsync(Repo(), "sha256:../../etc/passwd"));
        Assert.Throws<InvalidSpecException>(() => _ = new RegistryRepository(_registry.Host, "Upper/Case"));
    }

    [Test]
    public void An_oversized_manifest_is_refused_before_parsing()
    {
        using RegistryClient client = new(new RegistryClientOptions { MaxManifestBytes = 100 });

        Assert.ThrowsAsync<SizeLimitExceededException>(() => client.GetManifestAsync(Repo(), "v1"));
    }

    private string BlobPath(string digest) => Path.Combine(_layout, "blobs", "sha256", digest[7..]);
}
