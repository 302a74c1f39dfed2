using System.Text;
using Containers.Content;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Metadata;
using Containers.Oci.Image;
using Containers.Snapshots;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>
/// <see cref="GarbageCollector"/> over the real stores: content store, SQLite image store, overlay and
/// native snapshotters, lease manager and container store in one metadata database.
/// </summary>
public sealed class GarbageCollectorTests
{
    private const string Ref = "containerd.io/gc.ref.content";

    private static readonly byte[] Spec = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.0\"}");

    [SetUp]
    public void RequireRoot() => GcTestStack.RequireRootAndOverlay();

    [Test]
    public async Task Keeps_everything_referenced_and_removes_everything_else()
    {
        await using var stack = new GcTestStack();
        LocalContentStore content = stack.Content;

        // default: image → index → manifest → config + 2 layers; config → the top of a committed snapshot chain.
        List<string> chain = await GcTestStack.AddChainAsync(stack.Overlay, "layer", 3);
        Digest layer0 = await GcTestStack.AddBlobAsync(content);
        Digest layer1 = await GcTestStack.AddBlobAsync(content);
        Digest config = await GcTestStack.AddBlobAsync(content, new Dictionary<string, string> { ["containerd.io/gc.ref.snapshot.overlayfs"] = chain[^1] });
        Digest manifest = await GcTestStack.AddBlobAsync(content, new Dictionary<string, string>
        {
            [Ref + ".config"] = config.ToString(),
            [Ref + ".l.0"] = layer0.ToString(),
            [Ref + ".l.1"] = layer1.ToString(),
        });
        Digest index = await GcTestStack.AddBlobAsync(content, new Dictionary<string, string> { [Ref + ".m.0"] = manifest.ToString() });
        await stack.Images("default").CreateAsync(new Image("example.com/app:1", GcTestStack.Descriptor(MediaTypes.ImageIndex, index)));

        // A container's active snapshot on top of the chain.
        await stack.Overlay.PrepareAsync("c1-rw", chain[^1]);
        await stack.Containers("default").CreateAsync(new ContainerRecord("c1", new RuntimeInfo("runcs")) { Spec = Spec, Snapshotter = "overlayfs", SnapshotKey = "c1-rw" });

        // A lease holding an orphan blob and a native snapshot.
        Digest leased = await GcTestStack.AddBlobAsync(content);
        List<string> leasedChain = await GcTestStack.AddChainAsync(stack.Native, "leased", 2);
        await stack.Leases("default").CreateAsync("hold");
        await stack.Leases("default").AddResourceAsync("hold", LeaseResource.ForContent(leased));
        await stack.Leases("default").AddResourceAsync("hold", LeaseResource.ForSnapshot("native", leasedChain[^1]));

        // A gc.root blob whose label is the only thing keeping another blob.
        Digest onlyByLabel = await GcTestStack.AddBlobAsync(content);
        Digest rootBlob = await GcTestStack.AddBlobAsync(content, new Dictionary<string, string> { ["containerd.io/gc.root"] = "2026-01-01T00:00:00Z", [Ref + ".x"] = onlyByLabel.ToString() });

        // A second namespace: its image keeps a blob (and what that blob's tenant-2 label names).
        Digest tenantChild = await GcTestStack.AddBlobAsync(content);
        Digest tenantBlob = await GcTestStack.AddBlobAsync(stack.ContentIn("tenant-2"), new Dictionary<string, string> { [Ref] = tenantChild.ToString() });
        await stack.Images("tenant-2").CreateAsync(new Image("example.com/t:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, tenantBlob)));

        // Garbage: a blob nothing names, a chain nothing names (with an active top), a blob named only by a
        // label in a namespace that does not reach its owner, and a label that is not a reference.
        Digest garbage = await GcTestStack.AddBlobAsync(content);
        List<string> garbageChain = await GcTestStack.AddChainAsync(stack.Native, "junk", 3);
        await stack.Native.PrepareAsync("junk-active", garbageChain[^1]);
        Digest otherNamespaceOnly = await GcTestStack.AddBlobAsync(content);
        await stack.ContentIn("tenant-3").UpdateAsync(new ContentInfo { Digest = layer0, Labels = new Dictionary<string, string> { [Ref] = otherNamespaceOnly.ToString() } }, ["labels"]);
        Digest notAReference = await GcTestStack.AddBlobAsync(content);
        await content.UpdateAsync(new ContentInfo { Digest = layer1, Labels = new Dictionary<string, string> { [Ref + "x"] = notAReference.ToString() } }, ["labels"]);
        await stack.ContentIn("tenant-3").UpdateAsync(new ContentInfo { Digest = garbage, Labels = new Dictionary<string, string> { ["note"] = "x" } }, ["labels"]);

        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        string[] keptBlobs = new[] { layer0, layer1, config, manifest, index, leased, onlyByLabel, rootBlob, tenantChild, tenantBlob }.Select(d => d.ToString()).ToArray();
        string[] removedBlobs = [garbage.ToString(), otherNamespaceOnly.ToString(), notAReference.ToString()];
        string[] keptSnapshots = [.. chain.Select(n => "overlayfs/" + n), "overlayfs/c1-rw", .. leasedChain.Select(n => "native/" + n)];
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Is.Empty);
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(keptBlobs));
            Assert.That(result.RemovedContent.Select(d => d.ToString()), Is.EquivalentTo(removedBlobs));
            Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(keptSnapshots));
            // Children before parents.
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { "native/junk-active", "native/junk3", "native/junk2", "native/junk1" }));
            Assert.That(result.RemovedLeases, Is.Empty);
            Assert.That(result.BytesFreed, Is.GreaterThanOrEqualTo(3 * 4096));
            Assert.That(result.Reachable, Is.EqualTo(keptBlobs.Length + keptSnapshots.Length));
        });

        // The labels of a removed blob are gone in every namespace; a second run finds nothing to do.
        Assert.That(LabelRows(stack, garbage), Is.Zero);
        Assert.That(LabelRows(stack, layer0), Is.EqualTo(1), "the tenant-3 label of a kept blob stays");
        GarbageCollectionResult again = await stack.Collector.CollectAsync();
        Assert.That(again.RemovedCount, Is.Zero);
        Assert.That(again.Errors, Is.Empty);

        // Dropping the image and the container lets the whole default graph go, except what the lease and the root hold.
        await stack.Images("default").DeleteAsync("example.com/app:1");
        await stack.Containers("default").DeleteAsync("c1");
        GarbageCollectionResult last = await stack.Collector.CollectAsync();
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(last.Errors, Is.Empty);
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { leased, onlyByLabel, rootBlob, tenantChild, tenantBlob }.Select(d => d.ToString())));
            Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(leasedChain.Select(n => "native/" + n)));
            Assert.That(last.RemovedSnapshots.ToList().IndexOf("overlayfs/c1-rw"), Is.LessThan(last.RemovedSnapshots.ToList().IndexOf("overlayfs/layer3")));
        });
    }

    private static long LabelRows(GcTestStack stack, Digest digest)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={stack.Database.Path};Pooling=false");
        connection.Open();
        using Microsoft.Data.Sqlite.SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM content_labels WHERE digest = $d";
        command.Parameters.AddWithValue("$d", digest.ToString());
        return (long)command.ExecuteScalar()!;
    }

    [Test]
    public async Task An_expired_lease_is_deleted_with_what_only_it_held_and_a_live_one_keeps_its_resources()
    {
        await using var stack = new GcTestStack();
        SqliteLeaseManager leases = stack.Leases("default");
        Digest shortBlob = await GcTestStack.AddBlobAsync(stack.Content);
        Digest longBlob = await GcTestStack.AddBlobAsync(stack.Content);
        Digest labelledBlob = await GcTestStack.AddBlobAsync(stack.Content);
        List<string> shortChain = await GcTestStack.AddChainAsync(stack.Overlay, "short", 2);
        await leases.CreateAsync("short", TimeSpan.FromMinutes(1));
        await leases.AddResourceAsync("short", LeaseResource.ForContent(shortBlob));
        await leases.AddResourceAsync("short", LeaseResource.ForSnapshot("overlayfs", shortChain[^1]));
        await leases.CreateAsync("long", TimeSpan.FromHours(2));
        await leases.AddResourceAsync("long", LeaseResource.ForContent(longBlob));
        // containerd's label form of expiry, already past.
        await leases.CreateAsync("by-label", labels: new Dictionary<string, string> { ["containerd.io/gc.expire"] = stack.Clock.Now.AddSeconds(30).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture) });
        await leases.AddResourceAsync("by-label", LeaseResource.ForContent(labelledBlob));

        GarbageCollectionResult before = await stack.Collector.CollectAsync();
        Assert.That(before.RemovedCount, Is.Zero, "nothing has expired yet");

        stack.Clock.Now += TimeSpan.FromMinutes(10);
        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Is.Empty);
            Assert.That(result.RemovedLeases, Is.EquivalentTo(new[] { "default/short", "default/by-label" }));
            Assert.That(await leases.ListAsync().Select(l => l.Id).ToListAsync(), Is.EqualTo(new[] { "long" }));
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { longBlob.ToString() }));
            Assert.That(await stack.SnapshotsAsync(), Is.Empty);
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { "overlayfs/short2", "overlayfs/short1" }));
        });
    }

    [Test]
    public async Task A_flat_lease_keeps_its_blob_but_not_what_the_blob_references()
    {
        await using var stack = new GcTestStack();
        Digest child = await GcTestStack.AddBlobAsync(stack.Content);
        Digest parent = await GcTestStack.AddBlobAsync(stack.Content, new Dictionary<string, string> { [Ref + ".l.0"] = child.ToString() });
        SqliteLeaseManager leases = stack.Leases("default");
        await leases.CreateAsync("flat", labels: new Dictionary<string, string> { ["containerd.io/gc.flat"] = "" });
        await leases.AddResourceAsync("flat", LeaseResource.ForContent(parent));

        GarbageCollectionResult result = await stack.Collector.CollectAsync();
        Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { parent.ToString() }));
        Assert.That(result.RemovedContent, Is.EqualTo(new[] { child }));
    }

    [Test]
    public async Task Ingests_are_kept_when_leased_or_open_and_aborted_otherwise()
    {
        await using var stack = new GcTestStack();
        SqliteLeaseManager leases = stack.Leases("default");
        await leases.CreateAsync("pull");
        await leases.AddResourceAsync("pull", LeaseResource.ForIngest("leased"));
        foreach (string reference in new[] { "leased", "idle" })
        {
            await using IContentWriter w = await stack.Content.OpenWriterAsync(new ContentWriterOptions { Ref = reference });
            await w.WriteAsync(new byte[100]);
        }

        await using IContentWriter open = await stack.Content.OpenWriterAsync(new ContentWriterOptions { Ref = "open" });
        await open.WriteAsync(new byte[10]);

        GarbageCollectionResult result = await stack.Collector.CollectAsync();
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.RemovedIngests, Is.EqualTo(new[] { "idle" }));
            Assert.That((await stack.Content.ListStatusesAsync()).Select(s => s.Ref), Is.EquivalentTo(new[] { "leased", "open" }));
            Assert.That(result.BytesFreed, Is.EqualTo(100));
        });
    }

    [Test]
    public async Task A_failed_removal_is_reported_and_the_rest_is_still_removed()
    {
        await using var stack = new GcTestStack();
        Digest stuck = await GcTestStack.AddBlobAsync(stack.Content);
        Digest free = await GcTestStack.AddBlobAsync(stack.Content);
        await GcTestStack.AddChainAsync(stack.Overlay, "free", 2);
        string blobsDirectory = Path.GetDirectoryName(stack.Content.GetBlobPath(stuck))!;

        // An immutable blob: unlink fails with EPERM, as a real removal failure does.
        ToolResult chattr = await Tool.RunAsync("chattr", ["+i", stack.Content.GetBlobPath(stuck)]);
        if (chattr.ExitCode != 0)
        {
            Assert.Ignore($"chattr +i is not available here: {chattr.StandardError}");
        }

        GarbageCollectionResult result;
        try
        {
            result = await stack.Collector.CollectAsync();
        }
        finally
        {
            await Tool.RunAsync("chattr", ["-i", stack.Content.GetBlobPath(stuck)]);
        }

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Has.Count.EqualTo(1));
            Assert.That(result.Errors[0].Kind, Is.EqualTo(GarbageCollectionResourceKind.Content));
            Assert.That(result.Errors[0].Id, Is.EqualTo(stuck.ToString()));
            Assert.That(result.Errors[0].Exception, Is.InstanceOf<UnauthorizedAccessException>().Or.InstanceOf<IOException>());
            Assert.That(result.RemovedContent, Is.EqualTo(new[] { free }));
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { "overlayfs/free2", "overlayfs/free1" }));
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { stuck.ToString() }));
            Assert.That(await stack.SnapshotsAsync(), Is.Empty);
            Assert.That(Directory.Exists(blobsDirectory), Is.True);
        });

        // Its labels were kept with it, and the next run removes it.
        GarbageCollectionResult next = await stack.Collector.CollectAsync();
        Assert.That(next.RemovedContent, Is.EqualTo(new[] { stuck }));
        Assert.That(next.Errors, Is.Empty);
    }
}
