using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Testing;

namespace Containers.Images.Tests.Registry;

/// <summary>
/// <see cref="RegistryClientOptions.Mirrors"/> with two Debian docker-registry instances, an
/// upstream and a mirror; a handler under the client counts the requests each host received.
/// </summary>
[NonParallelizable]
public sealed class RegistryMirrorTests
{
    private TempDirectory _dir = null!;
    private LocalRegistry _upstream = null!;
    private LocalRegistry _mirror = null!;
    private OciTestImage.Result _image = null!;
    private string _layout = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dir = new TempDirectory();
        _upstream = await LocalRegistry.StartAsync();
        _mirror = await LocalRegistry.StartAsync();
        _layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(_layout, "v1");
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _upstream, "test/busybox");
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _mirror, "test/busybox");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _mirror.DisposeAsync();
        await _upstream.DisposeAsync();
        _dir.Dispose();
    }

    [Test]
    public async Task A_mirror_that_has_the_image_serves_the_whole_pull_and_upstream_sees_no_request()
    {
        (RegistryClient client, ConcurrentDictionary<string, int> counts) = Client(new Uri("http://" + _mirror.Host));
        using (client)
        {
            await PullAndVerifyAsync(client, "test/busybox");
        }

        Assert.That(counts.GetValueOrDefault(_upstream.Host), Is.EqualTo(0));
        Assert.That(counts.GetValueOrDefault(_mirror.Host), Is.GreaterThanOrEqualTo(2 + _image.LayerDigests.Count));
    }

    [Test]
    public async Task A_mirror_that_is_down_falls_back_to_the_upstream()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: connections are refused

        (RegistryClient client, ConcurrentDictionary<string, int> counts) = Client(new Uri($"http://127.0.0.1:{closedPort}"));
        using (client)
        {
            await PullAndVerifyAsync(client, "test/busybox");
        }

        Assert.That(counts.GetValueOrDefault($"127.0.0.1:{closedPort}"), Is.GreaterThan(0));
        Assert.That(counts.GetValueOrDefault(_upstream.Host), Is.GreaterThanOrEqualTo(2 + _image.LayerDigests.Count));
    }

    [Test]
    public async Task A_mirror_without_the_image_answers_404_and_the_upstream_serves_it()
    {
        await OciTestImage.PushWithSkopeoAsync(_layout, "v1", _upstream, "test/only-upstream");
        (RegistryClient client, ConcurrentDictionary<string, int> counts) = Client(new Uri("http://" + _mirror.Host + "/"));
        using (client)
        {
            await PullAndVerifyAsync(client, "test/only-upstream");
        }

        Assert.That(counts.GetValueOrDefault(_mirror.Host), Is.GreaterThan(0));
        Assert.That(counts.GetValueOrDefault(_upstream.Host), Is.GreaterThanOrEqualTo(2 + _image.LayerDigests.Count));
    }

    [Test]
    public async Task Pushes_never_go_to_a_mirror()
    {
        (RegistryClient client, ConcurrentDictionary<string, int> counts) = Client(new Uri("http://" + _mirror.Host));
        using (client)
        {
            byte[] config = await File.ReadAllBytesAsync(BlobPath(_image.ConfigDigest));
            await client.PushBlobAsync(new RegistryRepository(_upstream.Host, "test/pushed"), new Descriptor { MediaType = MediaTypes.ImageConfig, Digest = Digest.Parse(_image.ConfigDigest), Size = config.Length }, new MemoryStream(config));
        }

        Assert.That(counts.GetValueOrDefault(_mirror.Host), Is.EqualTo(0));
        Assert.That(counts.GetValueOrDefault(_upstream.Host), Is.GreaterThan(0));
    }

    [TestCase("ftp://mirror.example")]
    [TestCase("http://user:pw@mirror.example")]
    [TestCase("http://mirror.example/?x=1")]
    public void A_mirror_that_is_not_an_http_url_is_refused_naming_the_field(string mirror)
    {
        RegistryClientOptions options = new();
        options.Mirrors["docker.io"] = [new Uri(mirror)];

        InvalidSpecException? error = Assert.Throws<InvalidSpecException>(() => new RegistryClient(options).Dispose());
        Assert.That(error!.Message, Does.Contain("Mirrors[docker.io]"));
    }

    [TestCase("http://m:5000", "http://m:5000/v2/")]
    [TestCase("http://m:5000/cache/", "http://m:5000/cache/v2/")]
    [TestCase("https://m/v2", "https://m/v2/")]
    public void A_mirror_path_prefix_comes_before_v2(string mirror, string expected) =>
        Assert.That(RegistryHttp.MirrorBase(new Uri(mirror)).AbsoluteUri, Is.EqualTo(expected));

    private (RegistryClient Client, ConcurrentDictionary<string, int> Counts) Client(Uri mirror)
    {
        ConcurrentDictionary<string, int> counts = new();
        RegistryClientOptions options = new();
        options.Mirrors[_upstream.Host] = [mirror];
        options.Retry = new RetryPolicy { MaxAttempts = 1 };
        options.CreateHandler = () => new CountingHandler(counts);
        return (new RegistryClient(options), counts);
    }

    private async Task PullAndVerifyAsync(RegistryClient client, string repository)
    {
        RegistryRepository repo = new(_upstream.Host, repository);
        Descriptor resolved = await client.ResolveAsync(repo, "v1");
        Assert.That(resolved.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
        byte[] manifest = await client.GetManifestAsync(repo, resolved);
        Assert.That(manifest, Is.EqualTo(await File.ReadAllBytesAsync(BlobPath(_image.ManifestDigest))));
        foreach (string blob in _image.LayerDigests.Append(_image.ConfigDigest))
        {
            long size = new FileInfo(BlobPath(blob)).Length;
            using MemoryStream copy = new();
            await client.CopyBlobAsync(repo, new Descriptor { MediaType = MediaTypes.ImageLayerGzip, Digest = Digest.Parse(blob), Size = size }, copy);
            Assert.That(copy.Length, Is.EqualTo(size), blob); // CopyBlobAsync verified the digest
        }
    }

    private string BlobPath(string digest) => Path.Combine(_layout, "blobs", "sha256", digest[7..]);

    /// <summary>Counts requests per host:port, including ones whose connection is refused.</summary>
    private sealed class CountingHandler(ConcurrentDictionary<string, int> counts) : DelegatingHandler(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counts.AddOrUpdate(request.RequestUri!.Authority, 1, (_, n) => n + 1);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
