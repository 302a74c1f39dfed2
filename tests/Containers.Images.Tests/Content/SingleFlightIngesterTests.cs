using Containers.Content;
using Containers.Oci.Image;

namespace Containers.Images.Tests.Content;

[TestFixture]
public sealed class SingleFlightIngesterTests
{
    private string _root = null!;
    private LocalContentStore _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _root = Directory.CreateTempSubdirectory("ingester-").FullName;
        _store = new LocalContentStore(_root);
    }

    [TearDown]
    public void RemoveStore() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task EightConcurrentRequestsFetchOnce()
    {
        (byte[] content, Descriptor descriptor) = Create(300_000);
        var ingester = new SingleFlightIngester(_store);
        var gate = new TaskCompletionSource();
        int fetches = 0;
        Task<ContentInfo>[] requests = Enumerable.Range(0, 8).Select(_ => ingester.IngestAsync(descriptor, async (offset, _) =>
        {
            Interlocked.Increment(ref fetches);
            await gate.Task;
            return new MemoryStream(content, (int)offset, content.Length - (int)offset);
        })).ToArray();

        gate.SetResult();
        ContentInfo[] infos = await Task.WhenAll(requests);
        Assert.That(fetches, Is.EqualTo(1));
        Assert.That(infos.Select(i => i.Digest), Has.All.EqualTo(descriptor.Digest));
        Assert.That(infos.Select(i => i.Size), Has.All.EqualTo(content.Length));
        using IContentReader reader = await _store.OpenReaderAsync(descriptor);
        Assert.That(await Digest.ComputeAsync(reader.AsStream()), Is.EqualTo(descriptor.Digest));
    }

    [Test]
    public async Task PresentContentIsNotFetched()
    {
        (byte[] content, Descriptor descriptor) = Create(100);
        await ContentCopy.WriteBlobAsync(_store, "x", new MemoryStream(content), descriptor);
        var ingester = new SingleFlightIngester(_store);
        ContentInfo info = await ingester.IngestAsync(descriptor, (_, _) => throw new InvalidOperationException("must not fetch"));
        Assert.That(info.Size, Is.EqualTo(100));
    }

    [Test]
    public async Task AnInterruptedFetchResumesAtItsOffset()
    {
        (byte[] content, Descriptor descriptor) = Create(10_000);
        await using (IContentWriter partial = await _store.OpenWriterAsync(new ContentWriterOptions { Ref = "fetch-" + descriptor.Digest, Descriptor = descriptor }))
        {
            await partial.WriteAsync(content.AsMemory(0, 4000));
        }

        long requested = -1;
        var ingester = new SingleFlightIngester(_store);
        await ingester.IngestAsync(descriptor, (offset, _) =>
        {
            requested = offset;
            return Task.FromResult<Stream>(new MemoryStream(content, (int)offset, content.Length - (int)offset));
        });
        Assert.That(requested, Is.EqualTo(4000));
        Assert.That((await _store.InfoAsync(descriptor.Digest)).Size, Is.EqualTo(10_000));
    }

    [Test]
    public async Task WrongContentIsRejectedAndTheNextAttemptStartsOver()
    {
        (byte[] content, Descriptor descriptor) = Create(1000);
        var ingester = new SingleFlightIngester(_store);
        Assert.ThrowsAsync<DigestMismatchException>(() => ingester.IngestAsync(descriptor, (_, _) => Task.FromResult<Stream>(new MemoryStream(new byte[1000]))));
        Assert.ThrowsAsync<NotFoundException>(() => _store.InfoAsync(descriptor.Digest));
        Assert.That(await _store.ListStatusesAsync(), Is.Empty);

        long requested = -1;
        await ingester.IngestAsync(descriptor, (offset, _) =>
        {
            requested = offset;
            return Task.FromResult<Stream>(new MemoryStream(content));
        });
        Assert.That(requested, Is.Zero);
    }

    private static (byte[] Content, Descriptor Descriptor) Create(int size)
    {
        byte[] content = new byte[size];
        new Random(size).NextBytes(content);
        return (content, new Descriptor { MediaType = "application/octet-stream", Digest = Digest.Compute(content), Size = size });
    }
}
