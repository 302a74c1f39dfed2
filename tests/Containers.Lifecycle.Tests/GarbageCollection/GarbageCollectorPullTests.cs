using System.Security.Cryptography;
using Containers.Distribution;
using Containers.GarbageCollection;
using Containers.Images.Pull;
using Containers.Leases;
using Containers.Registry;
using Containers.Snapshots;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>A collector running over and over while a real pull (local docker-registry) fills the store under a lease.</summary>
[NonParallelizable]
public sealed class GarbageCollectorPullTests
{
    [Test]
    public async Task A_pull_under_a_lease_loses_nothing_to_a_concurrent_collector()
    {
        if (Environment.UserName != "root" || !OverlaySnapshotter.IsSupported() || !File.Exists(LocalRegistry.RegistryPath))
        {
            Assert.Ignore("needs root, overlayfs and Debian's docker-registry");
        }

        await using var stack = new GcTestStack();
        await using LocalRegistry registry = await LocalRegistry.StartAsync();
        string extra = stack.Directory.Combine("extra");
        Directory.CreateDirectory(extra);
        await File.WriteAllBytesAsync(Path.Combine(extra, "data.bin"), RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
        string layout = stack.Directory.Combine("layout");
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(layout, "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(layout, "v1", registry, "test/gc");
        Digest garbage = await GcTestStack.AddBlobAsync(stack.Content);

        SqliteLeaseManager leases = stack.Leases("default");
        await leases.CreateAsync("pull", TimeSpan.FromHours(1));
        using RegistryClient client = new();
        var puller = new ImagePuller(client, stack.Content, stack.Images("default"));
        var reference = ImageReference.Parse($"{registry.Host}/test/gc:v1");

        using var pullDone = new CancellationTokenSource();
        var removed = new List<Digest>();
        var errors = new List<GarbageCollectionError>();
        int runs = 0;
        Task collecting = Task.Run(async () =>
        {
            // At least one run, however fast the pull is; then as many as fit in it.
            do
            {
                GarbageCollectionResult result = await stack.Collector.CollectAsync();
                removed.AddRange(result.RemovedContent);
                errors.AddRange(result.Errors);
                runs++;
                await Task.Yield();
            }
            while (!pullDone.IsCancellationRequested);
        });

        PulledImage pulled;
        try
        {
            pulled = await puller.PullAsync(reference, new PullOptions { LeaseManager = leases, LeaseId = "pull" });
        }
        finally
        {
            // Stop the loop before the stores go away, also when the pull failed.
            await pullDone.CancelAsync();
            await collecting;
        }


        await TestContext.Out.WriteLineAsync($"collector runs during the pull: {runs}");
        string[] expected = [.. image.LayerDigests, image.ConfigDigest, image.ManifestDigest];
        Assert.Multiple(() =>
        {
            Assert.That(errors, Is.Empty);
            Assert.That(runs, Is.GreaterThan(0));
            Assert.That(removed, Does.Contain(garbage), "the collector did run and remove what was not leased");
            Assert.That(removed.Select(d => d.ToString()).Intersect(expected), Is.Empty, "nothing the pull fetched was removed");
            Assert.That(pulled.Target.Digest.ToString(), Is.EqualTo(image.ManifestDigest));
        });
        foreach (string digest in expected)
        {
            byte[] bytes = await File.ReadAllBytesAsync(stack.Content.GetBlobPath(Digest.Parse(digest)));
            Assert.That("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), Is.EqualTo(digest), "blob intact");
        }

        // Without the lease the image record alone keeps the whole graph (through the gc.ref labels).
        await leases.DeleteAsync("pull");
        GarbageCollectionResult afterLease = await stack.Collector.CollectAsync();
        Assert.That(afterLease.RemovedContent, Is.Empty);
        Assert.That(await stack.BlobsAsync(), Is.EquivalentTo(expected));

        // And without the image, everything goes.
        await stack.Images("default").DeleteAsync(reference.ToString());
        GarbageCollectionResult afterImage = await stack.Collector.CollectAsync();
        Assert.That(afterImage.RemovedContent.Select(d => d.ToString()), Is.EquivalentTo(expected));
        Assert.That(await stack.BlobsAsync(), Is.Empty);
    }
}
