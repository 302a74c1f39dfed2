using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Containers.Content;

namespace Containers.Images.Tests.Content;

/// <summary>
/// The content test suite against <see cref="LocalContentStore"/>, plus what only a store on a local
/// filesystem can be asked: layout, modes, crash recovery, path safety, locking across processes,
/// and a full disk.
/// </summary>
[TestFixture]
public sealed class LocalContentStoreTests : ContentStoreTestSuite
{
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0444 = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private string? _tmpfs;
    private Process? _lockHolder;

    private string StoreRoot => Path.Combine(Root, "store");

    protected override IContentStore CreateStore(string root) => new LocalContentStore(root);

    [TearDown]
    public void Cleanup()
    {
        if (_lockHolder is { HasExited: false })
        {
            _lockHolder.Kill();
            _lockHolder.WaitForExit();
        }

        _lockHolder?.Dispose();
        _lockHolder = null;
        if (_tmpfs is not null)
        {
            // Only the tmpfs this test mounted; lazily if something still holds it open.
            if (Run("umount", _tmpfs) != 0)
            {
                TestContext.Out.WriteLine($"umount {_tmpfs} failed (still busy?); detaching it lazily");
                Run("umount", "-l", _tmpfs);
            }

            _tmpfs = null;
        }
    }

    [Test]
    public async Task LayoutIsContainerds()
    {
        (byte[] content, Digest digest) = CreateContent(300);
        await using (IContentWriter writer = await OpenAsync("layout", Describe(300, digest)))
        {
            await writer.WriteAsync(content.AsMemory(0, 100));
            string ingest = Path.Combine(StoreRoot, "ingest", Sha256Hex("layout"));
            Assert.That(File.ReadAllText(Path.Combine(ingest, "ref")), Is.EqualTo("layout"));
            Assert.That(File.ReadAllText(Path.Combine(ingest, "total")), Is.EqualTo("300"));
            Assert.That(File.ReadAllText(Path.Combine(ingest, "expected")), Is.EqualTo(digest.ToString()));
            Assert.That(File.Exists(Path.Combine(ingest, "startedat")), Is.True);
            Assert.That(File.Exists(Path.Combine(ingest, "updatedat")), Is.True);
            Assert.That(new FileInfo(Path.Combine(ingest, "data")).Length, Is.EqualTo(100));
            await writer.WriteAsync(content.AsMemory(100));
            await writer.CommitAsync(300, digest);
        }

        string blob = Path.Combine(StoreRoot, "blobs", "sha256", digest.Encoded);
        Assert.That(File.ReadAllBytes(blob), Is.EqualTo(content));
        Assert.That(((LocalContentStore)Store).GetBlobPath(digest), Is.EqualTo(blob));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(StoreRoot, "ingest")), Is.Empty, "the ingest is removed after commit");
        Assert.That(File.Exists(Path.Combine(StoreRoot, "metadata.db")), Is.True);
    }

    [Test]
    public async Task DirectoriesArePrivateAndBlobsReadOnly()
    {
        (byte[] content, Digest digest) = CreateContent(10);
        await using (IContentWriter writer = await OpenAsync("modes"))
        {
            await writer.WriteAsync(content);
            string ingest = Path.Combine(StoreRoot, "ingest", Sha256Hex("modes"));
            Assert.That(File.GetUnixFileMode(ingest), Is.EqualTo(Mode0700));
            Assert.That(File.GetUnixFileMode(Path.Combine(ingest, "data")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            await writer.CommitAsync(10, digest);
        }

        foreach (string directory in new[] { "", "blobs", "blobs/sha256", "ingest" })
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(StoreRoot, directory)), Is.EqualTo(Mode0700), $"<root>/{directory}");
        }

        Assert.That(File.GetUnixFileMode(Path.Combine(StoreRoot, "blobs", "sha256", digest.Encoded)), Is.EqualTo(Mode0444));
    }

    [Test]
    public async Task APartialIngestSurvivesANewStoreInstanceAndResumes()
    {
        (byte[] content, Digest digest) = CreateContent(200_000);
        await using (IContentWriter writer = await OpenAsync("crash", Describe(content.Length, digest)))
        {
            await writer.WriteAsync(content.AsMemory(0, 123_456));
        }

        // What a restarted process sees: a fresh store on the same root.
        IContentStore reopened = new LocalContentStore(StoreRoot);
        ContentStatus status = await reopened.StatusAsync("crash");
        Assert.That(status.Offset, Is.EqualTo(123_456));
        Assert.That(status.Total, Is.EqualTo(content.Length));
        Assert.That(status.Expected, Is.EqualTo(digest));
        Assert.That((await reopened.ListStatusesAsync()).Single().Ref, Is.EqualTo("crash"));

        await ContentCopy.WriteBlobAsync(reopened, "crash", new MemoryStream(content), Describe(content.Length, digest));
        Assert.That(await ReadAllAsync(digest), Is.EqualTo(content));
        Assert.ThrowsAsync<NotFoundException>(() => reopened.StatusAsync("crash"));
    }

    [Test]
    public async Task AHalfRemovedIngestStartsOver()
    {
        await using (IContentWriter writer = await OpenAsync("half"))
        {
            await writer.WriteAsync(new byte[50]);
        }

        // As a crash in the middle of removing it would leave it: the data is gone first.
        File.Delete(Path.Combine(StoreRoot, "ingest", Sha256Hex("half"), "data"));
        Assert.ThrowsAsync<NotFoundException>(() => Store.StatusAsync("half"));
        Assert.That(await Store.ListStatusesAsync(), Is.Empty);
        await using IContentWriter again = await OpenAsync("half");
        Assert.That((await again.StatusAsync()).Offset, Is.Zero);
    }

    [Test]
    public async Task DamagedIngestMetadataNeverResumesWrongly()
    {
        string ingest = Path.Combine(StoreRoot, "ingest", Sha256Hex("damaged"));
        await using (IContentWriter writer = await OpenAsync("damaged"))
        {
            await writer.WriteAsync(new byte[70]);
        }

        // A lost updatedat costs only precision: the data's mtime stands in.
        File.WriteAllText(Path.Combine(ingest, "updatedat"), string.Empty);
        Assert.That((await Store.StatusAsync("damaged")).Offset, Is.EqualTo(70));
        await (await OpenAsync("damaged")).DisposeAsync();

        // A lost startedat (or ref) makes the ingest unreadable: it starts over rather than guess.
        File.WriteAllText(Path.Combine(ingest, "startedat"), string.Empty);
        Assert.ThrowsAsync<NotFoundException>(() => Store.StatusAsync("damaged"));
        await using IContentWriter again = await OpenAsync("damaged");
        Assert.That((await again.StatusAsync()).Offset, Is.Zero);
        Assert.That(again.Digest, Is.EqualTo(Digest.Compute([])));
    }

    [Test]
    public async Task LabelsAreScopedByNamespace()
    {
        (byte[] content, Digest digest) = CreateContent(100);
        await ContentCopy.WriteBlobAsync(Store, "ns", new MemoryStream(content), Describe(digest: digest), new Dictionary<string, string> { ["k"] = "default" });
        var other = new LocalContentStore(StoreRoot, "other");
        Assert.That((await other.InfoAsync(digest)).Labels, Is.Empty, "blobs are shared, labels are not");
        await other.UpdateAsync(new ContentInfo { Digest = digest, Labels = new Dictionary<string, string> { ["k"] = "other" } });
        Assert.That((await Store.InfoAsync(digest)).Labels["k"], Is.EqualTo("default"));
        Assert.That((await other.InfoAsync(digest)).Labels["k"], Is.EqualTo("other"));

        // A separate database file, such as the stack's shared metadata.db.
        string database = Path.Combine(Root, "shared-metadata.db");
        var shared = new LocalContentStore(StoreRoot, "default", database);
        Assert.That((await shared.InfoAsync(digest)).Labels, Is.Empty);
        await shared.UpdateAsync(new ContentInfo { Digest = digest, Labels = new Dictionary<string, string> { ["k"] = "shared" } });
        Assert.That((await new LocalContentStore(StoreRoot, "default", database).InfoAsync(digest)).Labels["k"], Is.EqualTo("shared"));
    }

    [TestCase("../../../../etc/evil")]
    [TestCase("/etc/evil")]
    [TestCase("a/../../b")]
    [TestCase("..")]
    [TestCase("sub/dir/ref")]
    [TestCase("nul\0byte")]
    public async Task RefsNeverNamePaths(string reference)
    {
        string[] before = Directory.GetFileSystemEntries(Root, "*", SearchOption.AllDirectories);
        await using (IContentWriter writer = await OpenAsync(reference))
        {
            await writer.WriteAsync("data"u8.ToArray());
        }

        string ingest = Path.Combine(StoreRoot, "ingest", Sha256Hex(reference));
        string[] created = [.. Directory.GetFileSystemEntries(Root, "*", SearchOption.AllDirectories).Except(before)];
        Assert.That(created, Is.Not.Empty);
        Assert.That(created, Has.All.StartsWith(ingest));
        Assert.That(File.Exists("/etc/evil"), Is.False);
        Assert.That((await Store.StatusAsync(reference)).Ref, Is.EqualTo(reference));
        await Store.AbortAsync(reference);
        Assert.That(Directory.Exists(ingest), Is.False);
    }

    [Test]
    public async Task TwoStoreInstancesInOneProcessShareTheRefLock()
    {
        IContentStore other = new LocalContentStore(StoreRoot);
        await using IContentWriter writer = await OpenAsync("shared");
        Assert.ThrowsAsync<ResourceLockedException>(() => other.OpenWriterAsync(new ContentWriterOptions { Ref = "shared" }));
    }

    [Test]
    public async Task AnotherProcessHoldingTheRefLockExcludesWriters()
    {
        // Create the ingest (and its lock file), then let flock(1) in another process take the lock;
        // --no-fork and exec keep the lock in the one process this test starts and kills.
        await (await OpenAsync("cross-process")).DisposeAsync();
        string lockFile = Path.Combine(StoreRoot, "ingest", Sha256Hex("cross-process"), "lock");
        string ready = Path.Combine(Root, "locked");
        _lockHolder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--no-fork", lockFile, "sh", "-c", $"touch {ready}; exec sleep 60"]))!;
        for (int i = 0; i < 500 && !File.Exists(ready); i++)
        {
            await Task.Delay(10);
        }

        Assert.That(File.Exists(ready), Is.True, "flock(1) did not take the lock");
        Assert.ThrowsAsync<ResourceLockedException>(() => OpenAsync("cross-process"));
        Assert.ThrowsAsync<ResourceLockedException>(() => Store.AbortAsync("cross-process"));

        _lockHolder.Kill();
        await _lockHolder.WaitForExitAsync();
        await (await OpenAsync("cross-process")).DisposeAsync();
    }

    [Test]
    public async Task AFullDiskFailsWithAnIOErrorAndNoPartialBlob()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("mounting a 1 MiB tmpfs needs root");
        }

        string mountPoint = Path.Combine(Root, "tmpfs");
        Directory.CreateDirectory(mountPoint);
        Assert.That(Run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint), Is.Zero, "mount tmpfs");
        _tmpfs = mountPoint;

        var store = new LocalContentStore(Path.Combine(mountPoint, "store"));
        (byte[] content, Digest digest) = CreateContent(2 << 20);
        IContentWriter writer = await store.OpenWriterAsync(new ContentWriterOptions { Ref = "big", Descriptor = Describe(content.Length, digest) });
        IOException? error = null;
        try
        {
            await ContentCopy.CopyAsync(writer, new MemoryStream(content), content.Length, digest);
        }
        catch (IOException e)
        {
            error = e;
        }
        finally
        {
            await writer.DisposeAsync();
        }

        Assert.That(error, Is.Not.Null, "writing 2 MiB to a 1 MiB tmpfs must fail");
        await TestContext.Out.WriteLineAsync($"{error!.GetType().Name}: {error.Message}");
        Assert.That(error.Message, Does.Contain("space").IgnoreCase);
        Assert.That(Directory.GetFiles(Path.Combine(mountPoint, "store", "blobs"), "*", SearchOption.AllDirectories), Is.Empty);
        Assert.ThrowsAsync<NotFoundException>(() => store.InfoAsync(digest));

        // The space comes back with the ingest, and the store is usable afterwards.
        await store.AbortAsync("big");
        (byte[] small, Digest smallDigest) = CreateContent(1000);
        await ContentCopy.WriteBlobAsync(store, "small", new MemoryStream(small), Describe(small.Length, smallDigest));
        Assert.That((await store.InfoAsync(smallDigest)).Size, Is.EqualTo(1000));
    }

    private static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static int Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
