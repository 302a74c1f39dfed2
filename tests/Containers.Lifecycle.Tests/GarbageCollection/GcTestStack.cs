using System.Security.Cryptography;
using Containers.Content;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Metadata;
using Containers.Oci.Image;
using Containers.Snapshots;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>The real stores of one root, laid out as AddContainerRuntime lays them out, and helpers to fill them.</summary>
internal sealed class GcTestStack : IAsyncDisposable
{
    public GcTestStack(ManualClock? clock = null)
    {
        Clock = clock ?? new ManualClock();
        Directory = new TempDirectory("ctr-gc-");
        Database = new MetadataDatabase(Directory.Combine("metadata.db"));
        Content = new LocalContentStore(Directory.Combine("content"), "default", Database.Path);
        Overlay = new OverlaySnapshotter(Directory.Combine("snapshots", "overlayfs"));
        Native = new NativeSnapshotter(Directory.Combine("snapshots", "native"));
        Collector = new GarbageCollector(Database, Content,
            new Dictionary<string, ISnapshotter> { ["overlayfs"] = Overlay, ["native"] = Native }, timeProvider: Clock);
    }

    public ManualClock Clock { get; }

    /// <summary>Skips the test visibly unless it runs as root where overlayfs mounts (the stack's snapshotters make real snapshot directories).</summary>
    public static void RequireRootAndOverlay()
    {
        if (Environment.UserName != "root" || !OverlaySnapshotter.IsSupported())
        {
            Assert.Ignore("needs root and overlayfs (the stack's snapshotters make real snapshot directories)");
        }
    }

    public TempDirectory Directory { get; }

    public MetadataDatabase Database { get; }

    public LocalContentStore Content { get; }

    public OverlaySnapshotter Overlay { get; }

    public NativeSnapshotter Native { get; }

    public GarbageCollector Collector { get; }

    public LocalContentStore ContentIn(string ns) => new(Directory.Combine("content"), ns, Database.Path);

    public SqliteImageStore Images(string ns) => new(Database.Path, ns, Clock);

    public SqliteLeaseManager Leases(string ns) => new(Database, ns, Clock);

    public SqliteContainerStore Containers(string ns) => new(Database, ns, timeProvider: Clock);

    /// <summary>Commits a random blob (labels set in <paramref name="store"/>'s namespace).</summary>
    public static async Task<Digest> AddBlobAsync(LocalContentStore store, IReadOnlyDictionary<string, string>? labels = null, int size = 4096)
    {
        byte[] data = RandomNumberGenerator.GetBytes(size);
        Digest digest = Digest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)));
        await using IContentWriter writer = await store.OpenWriterAsync(new ContentWriterOptions { Ref = "test-" + digest.Encoded });
        await writer.WriteAsync(data);
        await writer.CommitAsync(data.Length, digest, labels);
        return digest;
    }

    /// <summary>Commits a chain of snapshots <c>prefix1 ← prefix2 ← …</c> and returns the committed names, bottom first.</summary>
    public static async Task<List<string>> AddChainAsync(ISnapshotter snapshotter, string prefix, int length, IReadOnlyDictionary<string, string>? topLabels = null)
    {
        var names = new List<string>();
        string? parent = null;
        for (int i = 1; i <= length; i++)
        {
            string name = prefix + i;
            await snapshotter.PrepareAsync(name + "-extract", parent);
            await snapshotter.CommitAsync(name, name + "-extract", i == length ? topLabels : null);
            names.Add(name);
            parent = name;
        }

        return names;
    }

    public static Descriptor Descriptor(string mediaType, Digest digest, long size = 4096) => new() { MediaType = mediaType, Digest = digest, Size = size };

    /// <summary>The digests of the blobs on disk.</summary>
    public async Task<HashSet<string>> BlobsAsync()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (ContentInfo info in Content.WalkAsync())
        {
            set.Add(info.Digest.ToString());
        }

        return set;
    }

    /// <summary>Every snapshot as <c>&lt;snapshotter&gt;/&lt;key&gt;</c>.</summary>
    public async Task<HashSet<string>> SnapshotsAsync()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (SnapshotInfo info in Overlay.WalkAsync())
        {
            set.Add("overlayfs/" + info.Name);
        }

        await foreach (SnapshotInfo info in Native.WalkAsync())
        {
            set.Add("native/" + info.Name);
        }

        return set;
    }

    public async ValueTask DisposeAsync()
    {
        await Overlay.DisposeAsync();
        await Native.DisposeAsync();
        Database.Dispose();
        Directory.Dispose();
    }
}
