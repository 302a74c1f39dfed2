using System.Globalization;
using System.Text;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Metadata;
using Containers.Oci.Image;
using Containers.Snapshots;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>
/// The label forms containerd 2.0 follows beyond <c>gc.ref.content</c>/<c>gc.ref.snapshot</c>:
/// <c>gc.ref.image</c> (a reference to an image by name) and the back references
/// <c>gc.bref.content</c>, <c>gc.bref.snapshot.&lt;snapshotter&gt;</c>, <c>gc.bref.image</c> and
/// <c>gc.bref.container</c> (a child attaching itself to a parent). Each test has a control object with
/// the same label naming something unreached, which must go: without the label form both would go or
/// both would stay.
/// </summary>
public sealed class GarbageCollectorLabelTests
{
    private static readonly byte[] Spec = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.0\"}");

    [SetUp]
    public void RequireRoot() => GcTestStack.RequireRootAndOverlay();

    [Test]
    public async Task An_expired_image_referenced_by_gc_ref_image_stays_with_its_content()
    {
        await using var stack = new GcTestStack();
        SqliteImageStore images = stack.Images("default");
        string past = Rfc3339(stack.Clock.Now.AddMinutes(-1));
        Digest keptTarget = await GcTestStack.AddBlobAsync(stack.Content);
        Digest goneTarget = await GcTestStack.AddBlobAsync(stack.Content);
        await images.CreateAsync(new Image("example.com/referenced:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, keptTarget)) { Labels = Labels("containerd.io/gc.expire", past) });
        await images.CreateAsync(new Image("example.com/unreferenced:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, goneTarget)) { Labels = Labels("containerd.io/gc.expire", past) });
        // A live image names the first one (with a name after '.', as containerd allows).
        Digest holderTarget = await GcTestStack.AddBlobAsync(stack.Content);
        await images.CreateAsync(new Image("example.com/holder:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, holderTarget)) { Labels = Labels("containerd.io/gc.ref.image.base", "example.com/referenced:1") });

        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Is.Empty);
            Assert.That(result.RemovedImages, Is.EqualTo(new[] { "default/example.com/unreferenced:1" }));
            Assert.That(await images.ListAsync().Select(i => i.Name).ToListAsync(), Is.EquivalentTo(new[] { "example.com/referenced:1", "example.com/holder:1" }));
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { keptTarget.ToString(), holderTarget.ToString() }));
        });
    }

    [Test]
    public async Task A_blob_with_a_content_back_reference_lives_as_long_as_its_parent()
    {
        await using var stack = new GcTestStack();
        Digest parent = await GcTestStack.AddBlobAsync(stack.Content);
        await stack.Images("default").CreateAsync(new Image("example.com/app:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, parent)));
        Digest unreachedParent = await GcTestStack.AddBlobAsync(stack.Content);
        Digest child = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.content/sig", parent.ToString()));
        Digest orphan = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.content", unreachedParent.ToString()));
        // A back reference is namespaced: the same label set in another namespace does not hold a blob.
        Digest otherNamespace = await GcTestStack.AddBlobAsync(stack.ContentIn("tenant-2"), Labels("containerd.io/gc.bref.content", parent.ToString()));
        // And a snapshot chain may attach itself to a blob: its top names the image's target.
        List<string> chain = await GcTestStack.AddChainAsync(stack.Overlay, "attached", 2, Labels("containerd.io/gc.bref.content", parent.ToString()));
        List<string> loose = await GcTestStack.AddChainAsync(stack.Overlay, "loose", 2, Labels("containerd.io/gc.bref.content", unreachedParent.ToString()));

        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Is.Empty);
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { parent.ToString(), child.ToString() }));
            Assert.That(result.RemovedContent, Is.EquivalentTo(new[] { unreachedParent, orphan, otherNamespace }));
            Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(chain.Select(n => "overlayfs/" + n)));
            Assert.That(result.RemovedSnapshots, Is.EqualTo(loose.AsEnumerable().Reverse().Select(n => "overlayfs/" + n)));
        });
    }

    [Test]
    public async Task Back_references_to_snapshots_images_and_containers_keep_their_children()
    {
        await using var stack = new GcTestStack();
        // A container holds an active snapshot on a chain; an image is live; a second chain is held by nothing.
        List<string> chain = await GcTestStack.AddChainAsync(stack.Overlay, "base", 2);
        await stack.Overlay.PrepareAsync("c1-rw", chain[^1]);
        await stack.Containers("default").CreateAsync(new ContainerRecord("c1", new RuntimeInfo("runcs")) { Spec = Spec, Snapshotter = "overlayfs", SnapshotKey = "c1-rw" });
        List<string> unheld = await GcTestStack.AddChainAsync(stack.Native, "unheld", 1);
        Digest target = await GcTestStack.AddBlobAsync(stack.Content);
        await stack.Images("default").CreateAsync(new Image("example.com/app:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, target)));

        Digest bySnapshot = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.snapshot.overlayfs/x", "c1-rw"));
        Digest byUnheldSnapshot = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.snapshot.native", unheld[0]));
        Digest byImage = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.image", "example.com/app:1"));
        Digest byMissingImage = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.image", "example.com/gone:1"));
        Digest byContainer = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.container.owner", "c1"));
        Digest byContainerElsewhere = await GcTestStack.AddBlobAsync(stack.ContentIn("tenant-2"), Labels("containerd.io/gc.bref.container", "c1"));
        // A name glued to the prefix is not a back reference (as containerd reads "gc.bref.containerx").
        Digest notAReference = await GcTestStack.AddBlobAsync(stack.Content, Labels("containerd.io/gc.bref.containerx", "c1"));
        // An expired image attached to the live image stays; one attached to nothing goes.
        string past = Rfc3339(stack.Clock.Now.AddMinutes(-1));
        Digest attachedTarget = await GcTestStack.AddBlobAsync(stack.Content);
        Digest detachedTarget = await GcTestStack.AddBlobAsync(stack.Content);
        await stack.Images("default").CreateAsync(new Image("example.com/attached:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, attachedTarget))
        {
            Labels = new Dictionary<string, string> { ["containerd.io/gc.expire"] = past, ["containerd.io/gc.bref.image"] = "example.com/app:1" },
        });
        await stack.Images("default").CreateAsync(new Image("example.com/detached:1", GcTestStack.Descriptor(MediaTypes.ImageManifest, detachedTarget))
        {
            Labels = new Dictionary<string, string> { ["containerd.io/gc.expire"] = past, ["containerd.io/gc.bref.image"] = "example.com/gone:1" },
        });

        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(result.Errors, Is.Empty);
            Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(new[] { target, bySnapshot, byImage, byContainer, attachedTarget }.Select(d => d.ToString())));
            Assert.That(result.RemovedContent, Is.EquivalentTo(new[] { byUnheldSnapshot, byMissingImage, byContainerElsewhere, notAReference, detachedTarget }));
            Assert.That(result.RemovedImages, Is.EqualTo(new[] { "default/example.com/detached:1" }));
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { "native/" + unheld[0] }));
        });
    }

    private static Dictionary<string, string> Labels(string key, string value) => new(StringComparer.Ordinal) { [key] = value };

    private static string Rfc3339(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
