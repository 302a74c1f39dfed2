using Containers.Content;
using Containers.Oci.Image;

namespace Containers.Images.Tests.Content;

/// <summary>
/// containerd's content store test suite (core/content/testsuite), ported scenario by scenario, plus
/// the contract checks every <see cref="IContentStore"/> must pass. A store implementation derives
/// from this fixture and says how to open a store on a directory.
/// </summary>
/// <remarks>
/// Error mapping from containerd: ErrAlreadyExists → <see cref="AlreadyExistsException"/>,
/// ErrUnavailable (ref in use) → <see cref="ResourceLockedException"/>, ErrFailedPrecondition on a
/// size or digest mismatch at commit → <see cref="DigestMismatchException"/>, ErrNotFound →
/// <see cref="NotFoundException"/>.
/// </remarks>
public abstract class ContentStoreTestSuite
{
    private static int _contentSeed;

    protected string Root { get; private set; } = null!;

    protected IContentStore Store { get; private set; } = null!;

    /// <summary>Opens the store under test on <paramref name="root"/>; called again to reopen.</summary>
    protected abstract IContentStore CreateStore(string root);

    [SetUp]
    public void CreateRoot()
    {
        Root = Directory.CreateTempSubdirectory("content-suite-").FullName;
        Store = CreateStore(Path.Combine(Root, "store"));
    }

    [TearDown]
    public void RemoveRoot()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    // ----- containerd: Writer -----
    [Test]
    public async Task Writer()
    {
        var labels = GcRootLabels();
        (byte[] c1, Digest d1) = CreateContent(256);
        (byte[] c2, Digest d2) = CreateContent(256);
        (byte[] c3, Digest d3) = CreateContent(256);
        (byte[] c4, Digest d4) = CreateContent(256);
        var cases = new (byte[] Content, Digest Digest, IContentWriter Writer)[]
        {
            (c1, d1, await OpenAsync("c1")),
            (c2, d2, await OpenAsync("c2", Describe(size: c2.Length))),
            (c3, d3, await OpenAsync("c3", Describe(digest: d3))),
            (c4, d4, await OpenAsync("c4", Describe(c4.Length, d4))),
        };

        foreach ((byte[] content, Digest digest, IContentWriter writer) in cases)
        {
            await using (writer)
            {
                // containerd copies through a 32-byte buffer: many small writes.
                for (int offset = 0; offset < content.Length; offset += 32)
                {
                    await writer.WriteAsync(content.AsMemory(offset, Math.Min(32, content.Length - offset)));
                }

                DateTimeOffset preCommit = DateTimeOffset.UtcNow;
                await writer.CommitAsync(0, default, labels);
                DateTimeOffset postCommit = DateTimeOffset.UtcNow;

                Assert.That(writer.Digest, Is.EqualTo(digest));
                await CheckInfoAsync(digest, content.Length, labels, preCommit, postCommit, preCommit, postCommit);
            }
        }
    }

    // ----- containerd: UpdateStatus -----
    [Test]
    public async Task UpdateStatus()
    {
        (byte[] c1, Digest d1) = CreateContent(256);
        DateTimeOffset preStart = DateTimeOffset.UtcNow;
        await using IContentWriter w1 = await OpenAsync("c1", Describe(256, d1));
        DateTimeOffset postStart = DateTimeOffset.UtcNow;

        await CheckStatusAsync(w1, "c1", 0, 256, Digest.Compute([]), preStart, postStart, preStart, postStart);

        foreach ((int from, int to) in new[] { (0, 64), (64, 192), (192, 256) })
        {
            DateTimeOffset preUpdate = DateTimeOffset.UtcNow;
            await w1.WriteAsync(c1.AsMemory(from, to - from));
            DateTimeOffset postUpdate = DateTimeOffset.UtcNow;
            await CheckStatusAsync(w1, "c1", to, 256, Digest.Compute(c1.AsSpan(0, to)), preStart, postStart, preUpdate, postUpdate);
        }

        var labels = GcRootLabels();
        DateTimeOffset preCommit = DateTimeOffset.UtcNow;
        await w1.CommitAsync(0, default, labels);
        DateTimeOffset postCommit = DateTimeOffset.UtcNow;
        await CheckInfoAsync(d1, 256, labels, preCommit, postCommit, preCommit, postCommit);
    }

    // ----- containerd: CommitExists -----
    [Test]
    public async Task CommitExists()
    {
        (byte[] c1, Digest d1) = CreateContent(256);
        await ContentCopy.WriteBlobAsync(Store, "c1", new MemoryStream(c1), Describe(digest: d1));

        foreach ((int i, Digest expected) in new[] { (0, d1), (1, default(Digest)) })
        {
            string reference = $"c1-commitexists-{i}";
            await using IContentWriter writer = await OpenAsync(reference);
            await writer.WriteAsync(c1);
            Assert.ThrowsAsync<AlreadyExistsException>(() => writer.CommitAsync(c1.Length, expected), $"case {i}");

            // The ingest is removed, as containerd removes it on a collision.
            Assert.ThrowsAsync<NotFoundException>(() => Store.StatusAsync(reference));
        }
    }

    // ----- containerd: Resume -----
    [Test]
    public async Task Resume()
    {
        const string reference = "cb";
        (byte[] cb, Digest digest) = CreateContent(256);
        Digest firstDigest = Digest.Compute(cb.AsSpan(0, 128));

        DateTimeOffset preStart = DateTimeOffset.UtcNow;
        IContentWriter w1 = await OpenAsync(reference, Describe(256, digest));
        DateTimeOffset postStart = DateTimeOffset.UtcNow;
        DateTimeOffset preUpdate = postStart;
        await w1.WriteAsync(cb.AsMemory(0, 128));
        DateTimeOffset postUpdate = DateTimeOffset.UtcNow;
        await CheckStatusAsync(w1, reference, 128, 256, firstDigest, preStart, postStart, preUpdate, postUpdate);
        await w1.DisposeAsync();

        await using IContentWriter w2 = await OpenAsync(reference, Describe(256, digest));

        // The status is the same as before the first writer closed.
        await CheckStatusAsync(w2, reference, 128, 256, firstDigest, preStart, postStart, preUpdate, postUpdate);

        preUpdate = DateTimeOffset.UtcNow;
        await w2.WriteAsync(cb.AsMemory(128));
        postUpdate = DateTimeOffset.UtcNow;
        await CheckStatusAsync(w2, reference, 256, 256, digest, preStart, postStart, preUpdate, postUpdate);

        DateTimeOffset preCommit = DateTimeOffset.UtcNow;
        await w2.CommitAsync(0, default);
        DateTimeOffset postCommit = DateTimeOffset.UtcNow;
        await CheckInfoAsync(digest, 256, null, preCommit, postCommit, preCommit, postCommit);
    }

    // ----- containerd: ResumeTruncate, ResumeDiscard, ResumeCopy, ResumeCopySeeker (+ non-seekable) -----
    [Test]
    public Task ResumeTruncate() => CheckResumeAsync(async (writer, content, written, digest) =>
    {
        await writer.TruncateAsync(0);
        Assert.That(writer.Digest, Is.EqualTo(Digest.Compute([])));
        await WriteInChunksAsync(writer, content, 1024);
        await writer.CommitAsync(content.Length, digest);
    });

    [Test]
    public Task ResumeDiscard() => CheckResumeAsync(async (writer, content, written, digest) =>
    {
        await WriteInChunksAsync(writer, content.AsMemory((int)written), 1024);
        await writer.CommitAsync(content.Length, digest);
    });

    [Test]
    public Task ResumeCopy() => CheckResumeAsync((writer, content, _, digest) =>
        ContentCopy.CopyAsync(writer, new NonSeekableStream(content), content.Length, digest));

    [Test]
    public Task ResumeCopySeeker() => CheckResumeAsync((writer, content, _, digest) =>
        ContentCopy.CopyAsync(writer, new MemoryStream(content), content.Length, digest));

    [Test]
    public Task ResumeCopyReaderAt() => CheckResumeAsync(async (writer, content, _, digest) =>
    {
        // containerd's ReaderAt variant: the source is a committed blob read through a content reader.
        string root = Path.Combine(Root, "source");
        IContentStore source = CreateStore(root);
        await ContentCopy.WriteBlobAsync(source, "source", new MemoryStream(content), Describe(content.Length, digest));
        using IContentReader reader = await source.OpenReaderAsync(digest);
        await ContentCopy.CopyAsync(writer, reader.AsStream(), content.Length, digest);
    });

    // ----- containerd: SmallBlob -----
    [Test]
    public async Task SmallBlob()
    {
        byte[] blob = "foobar"u8.ToArray();
        Digest digest = Digest.Compute(blob);
        await using (IContentWriter writer = await OpenAsync(TestContext.CurrentContext.Test.Name, Describe(blob.Length, digest)))
        {
            await writer.WriteAsync(blob);
            await writer.CommitAsync(blob.Length, digest);
        }

        // Read more than the blob holds: the read is short, never padded.
        using IContentReader reader = await Store.OpenReaderAsync(Describe(digest: digest));
        byte[] buffer = new byte[blob.Length + 1];
        int read = await reader.ReadAtAsync(buffer, 0);
        Assert.That(read, Is.EqualTo(blob.Length));
        Assert.That(Digest.Compute(buffer.AsSpan(0, read)), Is.EqualTo(digest));
        Assert.That(await reader.ReadAtAsync(buffer, blob.Length), Is.Zero);
    }

    // ----- containerd: Labels -----
    [Test]
    public async Task Labels()
    {
        (byte[] c1, Digest d1) = CreateContent(256);
        await using IContentWriter w1 = await OpenAsync("c1-checklabels", Describe(256, d1));
        await w1.WriteAsync(c1);
        string rootTime = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var labels = new Dictionary<string, string> { ["k1"] = "v1", ["k2"] = "v2", ["containerd.io/gc.root"] = rootTime };

        DateTimeOffset preCommit = DateTimeOffset.UtcNow;
        await w1.CommitAsync(0, default, labels);
        DateTimeOffset postCommit = DateTimeOffset.UtcNow;
        await CheckInfoAsync(d1, 256, labels, preCommit, postCommit, preCommit, postCommit);

        labels["k1"] = "newvalue";
        labels.Remove("k2");
        labels["k3"] = "v3";
        DateTimeOffset preUpdate = DateTimeOffset.UtcNow;
        ContentInfo updated = await Store.UpdateAsync(new ContentInfo { Digest = d1, Labels = labels });
        DateTimeOffset postUpdate = DateTimeOffset.UtcNow;
        Assert.That(updated.Labels, Is.EquivalentTo(labels));
        await CheckInfoAsync(d1, 256, labels, preCommit, postCommit, preUpdate, postUpdate);

        // Only the named labels change: k3 (absent in the new info) goes, k1 is set back.
        labels = new Dictionary<string, string> { ["k1"] = "v1", ["containerd.io/gc.root"] = rootTime };
        preUpdate = DateTimeOffset.UtcNow;
        await Store.UpdateAsync(new ContentInfo { Digest = d1, Labels = labels }, ["labels.k3", "labels.k1"]);
        postUpdate = DateTimeOffset.UtcNow;
        await CheckInfoAsync(d1, 256, labels, preCommit, postCommit, preUpdate, postUpdate);
    }

    // ----- containerd: CommitErrorState -----
    [Test]
    public async Task CommitErrorState()
    {
        (byte[] c1, Digest d1) = CreateContent(256);
        (_, Digest d2) = CreateContent(256);
        await ContentCopy.WriteBlobAsync(Store, "c1", new MemoryStream(c1), Describe(digest: d1));
        const string reference = "c1-commiterror-state";

        IContentWriter w = await OpenAsync(reference);
        await w.WriteAsync(c1);
        await CheckRefNotAvailableAsync(reference);
        Assert.ThrowsAsync<AlreadyExistsException>(() => w.CommitAsync(c1.Length, d1), "exists, with digest");
        await w.DisposeAsync();

        w = await OpenAsync(reference);
        await CheckRefNotAvailableAsync(reference);
        await w.WriteAsync(c1);
        Assert.ThrowsAsync<AlreadyExistsException>(() => w.CommitAsync(c1.Length, default), "exists, without digest");
        await w.DisposeAsync();

        w = await OpenAsync(reference);
        await CheckRefNotAvailableAsync(reference);
        await w.WriteAsync((byte[])[.. c1, .. "more"u8]);
        var wrongDigest = Assert.ThrowsAsync<DigestMismatchException>(() => w.CommitAsync(c1.Length + 4, d2), "wrong digest");
        Assert.That(wrongDigest!.Expected, Is.EqualTo(d2));
        await w.DisposeAsync();

        // The failed commit kept the ingest: a new writer resumes with all of it.
        w = await OpenAsync(reference);
        await CheckRefNotAvailableAsync(reference);
        Assert.That((await w.StatusAsync()).Offset, Is.EqualTo(c1.Length + 4));
        var wrongSize = Assert.ThrowsAsync<DigestMismatchException>(() => w.CommitAsync(c1.Length, default), "wrong size");
        Assert.That(wrongSize!.ActualSize, Is.EqualTo(c1.Length + 4));
        await w.DisposeAsync();

        w = await OpenAsync(reference);
        await CheckRefNotAvailableAsync(reference);
        await w.CommitAsync(c1.Length + 4, default);
        await w.DisposeAsync();

        w = await OpenAsync(reference);
        await w.WriteAsync(c1);
        await CheckRefNotAvailableAsync(reference);
        Assert.ThrowsAsync<AlreadyExistsException>(() => w.CommitAsync(c1.Length, d1));
        await w.DisposeAsync();

        w = await OpenAsync(reference);
        await CheckRefNotAvailableAsync(reference);
        await w.DisposeAsync();

        // Available again once closed.
        w = await OpenAsync(reference);
        await w.DisposeAsync();
    }

    // ----- contract checks beyond containerd's suite -----
    [Test]
    public async Task WrongDigestIsNeverCommittedAndTheIngestCanBeRetried()
    {
        (byte[] content, Digest digest) = CreateContent(4096);
        byte[] corrupt = (byte[])content.Clone();
        corrupt[100] ^= 0xff;
        await using (IContentWriter writer = await OpenAsync("wrong", Describe(content.Length, digest)))
        {
            await writer.WriteAsync(corrupt);
            var error = Assert.ThrowsAsync<DigestMismatchException>(() => writer.CommitAsync(content.Length, digest));
            Assert.That(error!.Actual, Is.EqualTo(Digest.Compute(corrupt)));
            Assert.ThrowsAsync<FailedPreconditionException>(() => writer.CommitAsync(content.Length, digest), "a writer is finished after a commit attempt");
        }

        Assert.ThrowsAsync<NotFoundException>(() => Store.InfoAsync(digest));
        Assert.ThrowsAsync<NotFoundException>(() => Store.InfoAsync(Digest.Compute(corrupt)));
        Assert.That(await WalkAsync(), Is.Empty);

        await using (IContentWriter retry = await OpenAsync("wrong", Describe(content.Length, digest)))
        {
            await retry.TruncateAsync(0);
            await retry.WriteAsync(content);
            await retry.CommitAsync(content.Length, digest);
        }

        Assert.That(await ReadAllAsync(digest), Is.EqualTo(content));
    }

    [Test]
    public async Task SizeMismatchIsNeverCommitted()
    {
        (byte[] content, Digest digest) = CreateContent(1000);
        await using IContentWriter writer = await OpenAsync("short", Describe(content.Length, digest));
        await writer.WriteAsync(content.AsMemory(0, 999));
        var error = Assert.ThrowsAsync<DigestMismatchException>(() => writer.CommitAsync(content.Length, digest));
        Assert.That(error!.ExpectedSize, Is.EqualTo(1000));
        Assert.That(error.ActualSize, Is.EqualTo(999));
        Assert.ThrowsAsync<NotFoundException>(() => Store.InfoAsync(digest));
        Assert.That((await Store.StatusAsync("short")).Offset, Is.EqualTo(999));
    }

    [Test]
    public async Task OpeningAWriterForCommittedContentFails()
    {
        (byte[] content, Digest digest) = CreateContent(100);
        await ContentCopy.WriteBlobAsync(Store, "first", new MemoryStream(content), Describe(content.Length, digest));
        Assert.ThrowsAsync<AlreadyExistsException>(() => OpenAsync("second", Describe(content.Length, digest)));
    }

    [Test]
    public async Task ConcurrentWritersOfOneRefExcludeEachOther()
    {
        const int contenders = 8;
        using var start = new ManualResetEventSlim();
        Task<IContentWriter>[] attempts = Enumerable.Range(0, contenders)
            .Select(_ => Task.Run(() =>
            {
                start.Wait();
                return OpenAsync("contended");
            }))
            .ToArray();
        start.Set();
        try
        {
            await Task.WhenAll(attempts);
        }
        catch (ResourceLockedException)
        {
            // Expected for all but one; counted below.
        }

        IContentWriter[] winners = [.. attempts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
        Assert.That(winners, Has.Length.EqualTo(1));
        Assert.That(attempts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException), Has.All.InstanceOf<ResourceLockedException>());
        await winners[0].DisposeAsync();

        // Released: the ref can be opened again.
        await (await OpenAsync("contended")).DisposeAsync();
    }

    [Test]
    public async Task ConcurrentCommitsOfTheSameContentCommitItOnce()
    {
        (byte[] content, Digest digest) = CreateContent(64 * 1024);
        const int writers = 8;
        var opened = new List<IContentWriter>();
        for (int i = 0; i < writers; i++)
        {
            IContentWriter writer = await OpenAsync($"same-{i}");
            await writer.WriteAsync(content);
            opened.Add(writer);
        }

        using var start = new ManualResetEventSlim();
        Task[] commits = [.. opened.Select(w => Task.Run(async () =>
        {
            start.Wait();
            await w.CommitAsync(content.Length, digest);
        }))];
        start.Set();
        try
        {
            await Task.WhenAll(commits);
        }
        catch (AlreadyExistsException)
        {
            // Expected for all but one; counted below.
        }

        Assert.That(commits.Count(t => t.IsCompletedSuccessfully), Is.EqualTo(1));
        Assert.That(commits.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException), Has.All.InstanceOf<AlreadyExistsException>());
        Assert.That(await ReadAllAsync(digest), Is.EqualTo(content));
        Assert.That(await Store.ListStatusesAsync(), Is.Empty, "every ingest is gone, committed or collided");
        foreach (IContentWriter writer in opened)
        {
            await writer.DisposeAsync();
        }
    }

    [Test]
    public async Task WritersOfOneRefNeverOverlap()
    {
        // Many rounds of open / write / commit-or-abort on one ref from several threads: at most one
        // writer may be open at any moment, and every committed blob is intact.
        int open = 0;
        int overlaps = 0;
        int commits = 0;
        async Task Worker(int seed)
        {
            var random = new Random(seed);
            for (int round = 0; round < 40; round++)
            {
                IContentWriter writer;
                try
                {
                    writer = await OpenAsync("busy");
                }
                catch (ResourceLockedException)
                {
                    continue;
                }

                if (Interlocked.Increment(ref open) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                byte[] content = new byte[random.Next(1, 4096)];
                random.NextBytes(content);
                await writer.TruncateAsync(0);
                await writer.WriteAsync(content);
                Interlocked.Decrement(ref open);
                if (random.Next(2) == 0)
                {
                    await writer.CommitAsync(content.Length, Digest.Compute(content));
                    Interlocked.Increment(ref commits);
                }

                await writer.DisposeAsync();
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Worker(i))));
        Assert.That(overlaps, Is.Zero);
        Assert.That(commits, Is.Positive);
        await foreach (ContentInfo info in Store.WalkAsync())
        {
            Assert.That(Digest.Compute(await ReadAllAsync(info.Digest)), Is.EqualTo(info.Digest));
        }
    }

    [Test]
    public async Task StatusListAndAbort()
    {
        await using (IContentWriter a = await OpenAsync("a"))
        {
            await a.WriteAsync(new byte[10]);
        }

        await using (IContentWriter b = await OpenAsync("b/with/slashes", Describe(size: 50)))
        {
            await b.WriteAsync(new byte[20]);
        }

        IReadOnlyList<ContentStatus> all = await Store.ListStatusesAsync();
        Assert.That(all.Select(s => (s.Ref, s.Offset)), Is.EquivalentTo(new[] { ("a", 10L), ("b/with/slashes", 20L) }));
        IReadOnlyList<ContentStatus> filtered = await Store.ListStatusesAsync("ref==\"b/with/slashes\"");
        Assert.That(filtered.Single().Total, Is.EqualTo(50));

        await Store.AbortAsync("a");
        Assert.ThrowsAsync<NotFoundException>(() => Store.StatusAsync("a"));
        Assert.ThrowsAsync<NotFoundException>(() => Store.AbortAsync("a"));
        Assert.That((await Store.ListStatusesAsync()).Select(s => s.Ref), Is.EqualTo(new[] { "b/with/slashes" }));

        await using IContentWriter held = await OpenAsync("b/with/slashes");
        Assert.ThrowsAsync<ResourceLockedException>(() => Store.AbortAsync("b/with/slashes"));
    }

    [Test]
    public async Task InvalidLabelsAreRefusedBeforeCommit()
    {
        (byte[] content, Digest digest) = CreateContent(10);
        await using IContentWriter writer = await OpenAsync("labels");
        await writer.WriteAsync(content);
        Assert.ThrowsAsync<ArgumentException>(() => writer.CommitAsync(10, digest, new Dictionary<string, string> { ["k"] = new string('v', 5000) }));
        Assert.ThrowsAsync<ArgumentException>(() => writer.CommitAsync(10, digest, new Dictionary<string, string> { [""] = "v" }));
        Assert.ThrowsAsync<NotFoundException>(() => Store.InfoAsync(digest));

        // The writer is still usable.
        await writer.CommitAsync(10, digest, new Dictionary<string, string> { ["k"] = "v" });
        Assert.ThrowsAsync<ArgumentException>(() => Store.UpdateAsync(new ContentInfo { Digest = digest, Labels = new Dictionary<string, string> { [""] = "v" } }));
        Assert.That((await Store.InfoAsync(digest)).Labels["k"], Is.EqualTo("v"));
    }

    [Test]
    public async Task WalkFiltersByLabelAndDigest()
    {
        (byte[] c1, Digest d1) = CreateContent(10);
        (byte[] c2, Digest d2) = CreateContent(20);
        await ContentCopy.WriteBlobAsync(Store, "1", new MemoryStream(c1), Describe(digest: d1),
            new Dictionary<string, string> { ["containerd.io/gc.root"] = "x", ["team"] = "a" });
        await ContentCopy.WriteBlobAsync(Store, "2", new MemoryStream(c2), Describe(digest: d2),
            new Dictionary<string, string> { ["team"] = "b" });

        Assert.That(await WalkAsync(), Is.EquivalentTo(new[] { d1, d2 }));
        Assert.That(await WalkAsync("labels.\"containerd.io/gc.root\""), Is.EqualTo(new[] { d1 }));
        Assert.That(await WalkAsync("labels.containerd.io/gc.root==x"), Is.EqualTo(new[] { d1 }));
        Assert.That(await WalkAsync("labels.team==b"), Is.EqualTo(new[] { d2 }));
        Assert.That(await WalkAsync($"labels.team==a,digest=={d2}"), Is.Empty);
        Assert.That(await WalkAsync($"digest=={d2}"), Is.EqualTo(new[] { d2 }));
        Assert.That(await WalkAsync("labels.team~=^[ab]$,labels.team!=a"), Is.EqualTo(new[] { d2 }));
        Assert.Throws<ArgumentException>(() => Store.WalkAsync("labels.team=="));
    }

    [Test]
    public async Task DeleteRemovesBlobAndLabels()
    {
        (byte[] content, Digest digest) = CreateContent(10);
        await ContentCopy.WriteBlobAsync(Store, "1", new MemoryStream(content), Describe(digest: digest), new Dictionary<string, string> { ["k"] = "v" });
        await Store.DeleteAsync(digest);
        Assert.ThrowsAsync<NotFoundException>(() => Store.InfoAsync(digest));
        Assert.ThrowsAsync<NotFoundException>(() => Store.OpenReaderAsync(digest));
        Assert.ThrowsAsync<NotFoundException>(() => Store.DeleteAsync(digest));

        await ContentCopy.WriteBlobAsync(Store, "1", new MemoryStream(content), Describe(digest: digest));
        Assert.That((await Store.InfoAsync(digest)).Labels, Is.Empty);
    }

    [Test]
    public async Task ReaderReadsAtRandomOffsetsAndAsAStream()
    {
        (byte[] content, Digest digest) = CreateContent(100_000);
        await ContentCopy.WriteBlobAsync(Store, "r", new MemoryStream(content), Describe(content.Length, digest));
        using IContentReader reader = await Store.OpenReaderAsync(digest);
        Assert.That(reader.Size, Is.EqualTo(content.Length));
        byte[] buffer = new byte[1000];
        Assert.That(await reader.ReadAtAsync(buffer, 54_321), Is.EqualTo(1000));
        Assert.That(buffer, Is.EqualTo(content.AsSpan(54_321, 1000).ToArray()));
        Assert.That(await reader.ReadAtAsync(buffer, 99_500), Is.EqualTo(500));

        await using Stream stream = reader.AsStream();
        stream.Seek(-10, SeekOrigin.End);
        var tail = new MemoryStream();
        await stream.CopyToAsync(tail);
        Assert.That(tail.ToArray(), Is.EqualTo(content[^10..]));
        stream.Position = 0;
        Assert.That(await Digest.ComputeAsync(stream), Is.EqualTo(digest));
    }

    [Test]
    public async Task Sha512ContentIsHashedWithSha512()
    {
        byte[] content = "sha512 content"u8.ToArray();
        Digest digest = Digest.Compute(content, DigestAlgorithm.Sha512);
        await ContentCopy.WriteBlobAsync(Store, "512", new MemoryStream(content), Describe(content.Length, digest));
        Assert.That((await Store.InfoAsync(digest)).Size, Is.EqualTo(content.Length));
        Assert.That(await WalkAsync(), Is.EqualTo(new[] { digest }));
    }

    // ----- helpers -----
    protected static (byte[] Content, Digest Digest) CreateContent(long size)
    {
        var random = new Random(Interlocked.Increment(ref _contentSeed));
        byte[] content = new byte[size];
        random.NextBytes(content);
        return (content, Digest.Compute(content));
    }

    protected static Descriptor Describe(long size = 0, Digest digest = default) =>
        new() { MediaType = "application/octet-stream", Size = size, Digest = digest };

    protected Task<IContentWriter> OpenAsync(string reference, Descriptor? descriptor = null) =>
        Store.OpenWriterAsync(new ContentWriterOptions { Ref = reference, Descriptor = descriptor });

    protected async Task<List<Digest>> WalkAsync(string? filter = null)
    {
        var digests = new List<Digest>();
        await foreach (ContentInfo info in Store.WalkAsync(filter))
        {
            digests.Add(info.Digest);
        }

        return digests;
    }

    protected async Task<byte[]> ReadAllAsync(Digest digest)
    {
        using IContentReader reader = await Store.OpenReaderAsync(digest);
        var copy = new MemoryStream();
        await reader.AsStream().CopyToAsync(copy);
        return copy.ToArray();
    }

    private static Dictionary<string, string> GcRootLabels() =>
        new() { ["containerd.io/gc.root"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };

    private static async Task WriteInChunksAsync(IContentWriter writer, ReadOnlyMemory<byte> content, int chunk)
    {
        for (int offset = 0; offset < content.Length; offset += chunk)
        {
            await writer.WriteAsync(content.Slice(offset, Math.Min(chunk, content.Length - offset)));
        }
    }

    private async Task CheckResumeAsync(Func<IContentWriter, byte[], long, Digest, Task> resume)
    {
        long[] sizes = [500, 5000, 50000];
        double[] truncations = [0.0, 0.1, 0.5, 0.9, 1.0];
        for (int i = 0; i < sizes.Length; i++)
        {
            for (int j = 0; j < truncations.Length; j++)
            {
                (byte[] content, Digest digest) = CreateContent(sizes[i]);
                long limit = (long)(sizes[i] * truncations[j]);
                string reference = $"ref-{i}-{j}";
                await using (IContentWriter first = await OpenAsync(reference, Describe(sizes[i], digest)))
                {
                    await first.WriteAsync(content.AsMemory(0, (int)limit));
                }

                DateTimeOffset preCommit;
                DateTimeOffset postCommit;
                await using (IContentWriter writer = await OpenAsync(reference, Describe(sizes[i], digest)))
                {
                    Assert.That((await writer.StatusAsync()).Offset, Is.EqualTo(limit), reference);
                    Assert.That(writer.Digest, Is.EqualTo(Digest.Compute(content.AsSpan(0, (int)limit))), reference);
                    preCommit = DateTimeOffset.UtcNow;
                    await resume(writer, content, limit, digest);
                    postCommit = DateTimeOffset.UtcNow;
                }

                await CheckInfoAsync(digest, sizes[i], null, preCommit, postCommit, preCommit, postCommit);
                Assert.That(await ReadAllAsync(digest), Is.EqualTo(content), reference);
            }
        }
    }

    private async Task CheckRefNotAvailableAsync(string reference) =>
        Assert.ThrowsAsync<ResourceLockedException>(() => OpenAsync(reference), $"ref {reference} should be in use");

    private static async Task CheckStatusAsync(IContentWriter writer, string reference, long offset, long total, Digest digest,
        DateTimeOffset preStart, DateTimeOffset postStart, DateTimeOffset preUpdate, DateTimeOffset postUpdate)
    {
        ContentStatus status = await writer.StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(writer.Digest, Is.EqualTo(digest));
            Assert.That(status.Ref, Is.EqualTo(reference));
            Assert.That(status.Offset, Is.EqualTo(offset));
            Assert.That(status.Total, Is.EqualTo(total));
            Assert.That(status.StartedAt, Is.InRange(preStart, postStart));
            Assert.That(status.UpdatedAt, Is.InRange(preUpdate, postUpdate));
        });
    }

    private async Task CheckInfoAsync(Digest digest, long size, IReadOnlyDictionary<string, string>? labels,
        DateTimeOffset created1, DateTimeOffset created2, DateTimeOffset updated1, DateTimeOffset updated2)
    {
        ContentInfo info = await Store.InfoAsync(digest);
        Assert.Multiple(() =>
        {
            Assert.That(info.Digest, Is.EqualTo(digest));
            Assert.That(info.Size, Is.EqualTo(size));
            Assert.That(info.CreatedAt, Is.InRange(created1, created2));
            Assert.That(info.UpdatedAt, Is.InRange(updated1, updated2));
            Assert.That(info.Labels, Is.EquivalentTo(labels ?? new Dictionary<string, string>()));
        });
    }

    /// <summary>A stream that can only be read forward, like an HTTP body.</summary>
    private sealed class NonSeekableStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
