using System.Globalization;
using Containers.Content;
using Containers.GarbageCollection;
using Containers.Metadata;
using Containers.Snapshots;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs gc</c>: one garbage collection over ctrs's root (<c>metadata.db</c> with images, leases and
/// containers; <c>content/</c> with its own label database; the snapshotters under
/// <c>snapshots/overlayfs</c> and <c>snapshots/native</c> when they exist), printing each object removed,
/// each failure (on stderr), and a summary line. Exit code 1 when a removal, or the cleanup of a snapshotter the
/// collection swept (which deletes directories a crash left without a record), failed.
/// </summary>
internal static class GcCommand
{
    private static readonly string[] SnapshotterNames = ["overlayfs", "native"];

    public static async Task<int> RunAsync(string root, string @namespace, CancellationToken cancellationToken)
    {
        try
        {
            return await CollectAsync(root, @namespace, cancellationToken);
        }
        catch (ContainersException ex)
        {
            Console.Error.WriteLine($"ctrs: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> CollectAsync(string root, string @namespace, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root);
        using var database = new MetadataDatabase(Path.Combine(root, "metadata.db"));
        // What the collector publishes (containerd 2.x's expired-image deletes and snapshot removals) goes to the journal.
        await using CommandEvents events = CommandEvents.Start(root, @namespace);
        var content = new LocalContentStore(Path.Combine(root, "content"), @namespace);
        var snapshotters = new Dictionary<string, ISnapshotter>(StringComparer.Ordinal);
        try
        {
            foreach (string name in SnapshotterNames)
            {
                // Only snapshotters that were used: opening one would create its directories.
                string directory = Path.Combine(root, "snapshots", name);
                if (File.Exists(Path.Combine(directory, "metadata.db")))
                {
                    snapshotters[name] = name == "overlayfs" ? new OverlaySnapshotter(directory) : new NativeSnapshotter(directory);
                }
            }

            GarbageCollectionResult result = await new GarbageCollector(database, content, snapshotters, events: events.Bus, snapshotNamespace: @namespace).CollectAsync(cancellationToken);
            foreach (Digest digest in result.RemovedContent)
            {
                Console.WriteLine($"removed content {digest}");
            }

            foreach ((string kind, IReadOnlyList<string> ids) in new[]
            {
                ("snapshot", result.RemovedSnapshots), ("ingest", result.RemovedIngests), ("lease", result.RemovedLeases), ("image", result.RemovedImages),
            })
            {
                foreach (string id in ids)
                {
                    Console.WriteLine($"removed {kind} {id}");
                }
            }

            foreach (GarbageCollectionError error in result.Errors)
            {
                string what = error.Kind == GarbageCollectionResourceKind.Snapshotter ? "clean up" : "remove";
                Console.Error.WriteLine($"ctrs: gc: could not {what} {error.Kind.ToString().ToLowerInvariant()} {error.Id}: {error.Message}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gc: {result.RemovedCount} removed, {result.BytesFreed} bytes freed, {result.Reachable} reachable kept, {result.Errors.Count} errors, {result.Duration.TotalMilliseconds:F1} ms"));
            return result.Errors.Count == 0 ? 0 : 1;
        }
        finally
        {
            foreach (ISnapshotter snapshotter in snapshotters.Values)
            {
                await snapshotter.DisposeAsync();
            }
        }
    }
}
