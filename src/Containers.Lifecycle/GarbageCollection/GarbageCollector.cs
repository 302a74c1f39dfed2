using System.Diagnostics;
using Containers.Content;
using Containers.Events;
using Containers.Leases;
using Containers.Metadata;
using Containers.Snapshots;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containers.GarbageCollection;

/// <summary>
/// Removes what nothing references, with containerd's rules (core/metadata/gc.go): a tri-colour mark
/// from the roots of every namespace, then a sweep of the blobs, snapshots, ingests, expired leases and
/// expired images that were not reached.
/// </summary>
/// <remarks>
/// <para>Roots: images (unless their <c>containerd.io/gc.expire</c> has passed) → their target blob and
/// label references; containers → their snapshot and label references; leases that have not expired
/// (neither <see cref="Lease.ExpiresAt"/> nor a <c>containerd.io/gc.expire</c> label in the past) → every
/// resource they hold (with <c>containerd.io/gc.flat</c>, only the resources and snapshot parents, not
/// their labels); blobs and snapshots labelled <c>containerd.io/gc.root</c>, or with a
/// <c>containerd.io/gc.expire</c> still in the future. Edges: <c>containerd.io/gc.ref.content[./name]</c>
/// → a blob, <c>containerd.io/gc.ref.snapshot.&lt;snapshotter&gt;[/name]</c> → a snapshot,
/// <c>containerd.io/gc.ref.image[./name]</c> → an image (kept even when expired), a snapshot → its parent; and
/// containerd 2.0's back references <c>containerd.io/gc.bref.content|image|container[./name]</c> and
/// <c>containerd.io/gc.bref.snapshot.&lt;snapshotter&gt;[/name]</c> on a blob, snapshot or expired image: the
/// labelled object is reached when the parent it names is. Labels are namespaced, blobs and snapshots are shared: a blob is kept when it is reached in any
/// namespace, and its labels are followed in the namespace it was reached in. Unfinished ingests are kept
/// when a live lease holds their ref or a writer has them open, and aborted otherwise.</para>
/// <para>Concurrency: the candidates (blobs, snapshots, ingests) are listed first; then the collector
/// takes the write lock of the metadata database (and of the content store's label database when that is
/// another file), reads the roots, marks and sweeps, and only then releases it. Anything created after the
/// listing is not a candidate; any reference added while the collector runs (a lease resource, an image,
/// a container, a label) waits for the lock and finds the object either kept or gone, never half gone.
/// So a writer protects an object by adding it to a lease before it checks for or creates the object, as
/// <see cref="Containers.Images.Pull.PullOptions.LeaseId"/> makes the puller do.</para>
/// <para>One failed removal is logged and reported in <see cref="GarbageCollectionResult.Errors"/>; the
/// others go ahead. A snapshot whose child could not be removed is kept and reported.</para>
/// <para>Cleanup, as containerd's collector (core/metadata/db.go <c>GarbageCollect</c>): after the commit, with the
/// database locks released, every snapshotter that had an unreached snapshot in this collection (whether its
/// removal succeeded or not) gets <see cref="ISnapshotter.CleanupAsync"/>, all at once; it frees what the removals
/// left and directories a crash left without a record. A snapshotter with nothing unreached is not cleaned up, nor
/// is any after a collection that removed only blobs, ingests, leases or images. A failed or cancelled cleanup is
/// logged and reported as a <see cref="GarbageCollectionResourceKind.Snapshotter"/> error; it fails nothing
/// else.</para>
/// </remarks>
public sealed class GarbageCollector
{
    private readonly MetadataDatabase _database;
    private readonly LocalContentStore _content;
    private readonly IReadOnlyDictionary<string, ISnapshotter> _snapshotters;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IEventBus? _events;
    private readonly string? _snapshotNamespace;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates a collector over the stack's stores.</summary>
    /// <param name="database">The metadata database holding leases, containers and (when shared) images and blob labels.</param>
    /// <param name="content">The content store; its label database is read as well when it is another file.</param>
    /// <param name="snapshotters">The snapshotters by the names containers and labels use (<c>overlayfs</c>, <c>native</c>); none when null.</param>
    /// <param name="logger">Where removals and failures are logged.</param>
    /// <param name="timeProvider">The clock that decides expiry; the system clock when null.</param>
    /// <param name="events">
    /// Where the collector publishes, after a collection committed, what containerd 2.x's collector publishes
    /// (core/metadata/gc.go, db.go <c>publishEvents</c>): <c>/images/delete</c> for each expired image record it
    /// deleted, in that record's namespace, and <c>/snapshot/remove</c> for each snapshot it removed; never
    /// <c>/content/delete</c> (containerd publishes none for blobs, ingests or leases). The
    /// <see cref="GarbageCollectionScheduler"/> does not count these as deletions. None when null.
    /// </param>
    /// <param name="snapshotNamespace">
    /// The namespace stamped on the <c>/snapshot/remove</c> events (snapshots here belong to no namespace; containerd
    /// uses the namespace of its snapshot record); required with <paramref name="events"/>.
    /// </param>
    public GarbageCollector(MetadataDatabase database, LocalContentStore content, IReadOnlyDictionary<string, ISnapshotter>? snapshotters = null,
        ILogger<GarbageCollector>? logger = null, TimeProvider? timeProvider = null, IEventBus? events = null, string? snapshotNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(content);
        if (events is not null)
        {
            Identifiers.Validate(snapshotNamespace, nameof(snapshotNamespace));
        }

        foreach (string name in snapshotters?.Keys ?? [])
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
            {
                throw new InvalidSpecException("snapshotters", $"snapshotter name \"{name}\" must be non-empty and hold no '/'");
            }
        }

        _database = database;
        _content = content;
        _snapshotters = snapshotters ?? new Dictionary<string, ISnapshotter>();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _events = events;
        _snapshotNamespace = snapshotNamespace;
    }

    /// <summary>Runs one collection: mark from the roots of every namespace, then sweep what was not reached.</summary>
    /// <param name="cancellationToken">
    /// Stops the run before the sweep; once the sweep started, it runs to the end and its result is returned. After the
    /// commit it only cuts the snapshotters' cleanups short (each reported in <see cref="GarbageCollectionResult.Errors"/>).
    /// </param>
    /// <returns>What was removed, what could not be, and how long it took.</returns>
    public async Task<GarbageCollectionResult> CollectAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long started = Stopwatch.GetTimestamp();
            var sweep = new GcSweep(_logger);
            (int reachable, IReadOnlySet<string> swept) = await CollectLockedAsync(sweep, cancellationToken).ConfigureAwait(false);

            // The duration is the pause (the database locks held), as containerd's GCStats.Elapsed: the scheduler
            // spaces collections by it, and the cleanups below hold none of those locks.
            TimeSpan duration = Stopwatch.GetElapsedTime(started);
            await CleanupSnapshottersAsync(swept, sweep, cancellationToken).ConfigureAwait(false);
            GarbageCollectionResult result = sweep.ToResult(reachable, duration);
            GarbageCollectorLog.Finished(_logger, duration, result.RemovedCount, result.BytesFreed, result.Reachable, result.Errors.Count);
            await PublishRemovalsAsync(result).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lists, locks, marks and sweeps into <paramref name="sweep"/>, then commits.</summary>
    /// <returns>How many objects were reached, and the snapshotters that had unreached snapshots.</returns>
    private async Task<(int Reachable, IReadOnlySet<string> Swept)> CollectLockedAsync(GcSweep sweep, CancellationToken cancellationToken)
    {
        // 1. Candidates, listed before the lock: whatever appears later is not ours to judge this run.
        var blobs = new List<ContentInfo>();
        await foreach (ContentInfo info in _content.WalkAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            blobs.Add(info);
        }

        IReadOnlyList<ContentStatus> ingests = await _content.ListStatusesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var snapshots = new Dictionary<string, (string Snapshotter, SnapshotInfo Info)>(StringComparer.Ordinal);
        foreach ((string name, ISnapshotter snapshotter) in _snapshotters)
        {
            await foreach (SnapshotInfo info in snapshotter.WalkAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                snapshots[GcNode.SnapshotId(name, info.Name)] = (name, info);
            }
        }

        // 2. The write locks, metadata database first (a fixed order: no two collectors deadlock).
        var connections = new List<(SqliteConnection Connection, SqliteTransaction Transaction)>();
        try
        {
            foreach (string path in DatabasePaths())
            {
                SqliteConnection connection = OpenDatabase(path);
                connections.Add((connection, connection.BeginTransaction(deferred: false)));
            }

            var metadata = new GcMetadata();
            foreach ((SqliteConnection connection, SqliteTransaction transaction) in connections)
            {
                metadata.Load(connection, transaction);
            }

            // 3. Mark.
            DateTimeOffset now = _time.GetUtcNow();
            var marker = new GcMarker(metadata, snapshots, (key, value, owner, reason) => GarbageCollectorLog.IgnoredLabel(_logger, key, value, owner, reason));
            var expiredLeases = new List<GcMetadata.LeaseRow>();
            var expiredImages = new List<GcMetadata.ImageRow>();
            var leasedIngests = new HashSet<string>(StringComparer.Ordinal);
            marker.MarkRoots(now, expiredLeases, expiredImages, leasedIngests);
            cancellationToken.ThrowIfCancellationRequested();

            // 4. Sweep, still under the locks. Not cancellable: files deleted and the records about them
            // must commit together, so a started sweep finishes.
            SweepMetadata(connections[0], expiredLeases, expiredImages, sweep);
            SweepContent(blobs, marker, connections, sweep, CancellationToken.None);
            await SweepIngestsAsync(ingests, leasedIngests, sweep, CancellationToken.None).ConfigureAwait(false);
            IReadOnlySet<string> swept = await SweepSnapshotsAsync(snapshots, marker, sweep, CancellationToken.None).ConfigureAwait(false);

            foreach ((_, SqliteTransaction transaction) in connections)
            {
                transaction.Commit();
            }

            return (marker.ReachableCount, swept);
        }
        finally
        {
            foreach ((SqliteConnection connection, SqliteTransaction transaction) in connections)
            {
                transaction.Dispose();
                connection.Dispose();
            }
        }
    }

    /// <summary>
    /// Calls <see cref="ISnapshotter.CleanupAsync"/> on each snapshotter the collection had unreached snapshots in, as
    /// containerd does after a collection (core/metadata/db.go: the snapshotters marked dirty by the sweep are cleaned
    /// up, each in its own goroutine, after the commit; a failure is logged and fails nothing): it reclaims what the
    /// removals could not delete and what a crash left (a directory without a record). One task per snapshotter, so a
    /// slow or failing one holds up none of the others; each failure, and each cleanup cut short by
    /// <paramref name="cancellationToken"/>, becomes a <see cref="GarbageCollectionResourceKind.Snapshotter"/> error.
    /// </summary>
    private async Task CleanupSnapshottersAsync(IReadOnlySet<string> names, GcSweep sweep, CancellationToken cancellationToken)
    {
        string[] ordered = [.. names.Order(StringComparer.Ordinal)];
        Exception?[] failures = await Task.WhenAll(ordered.Select(name => Task.Run(() => CleanupAsync(name, _snapshotters[name], cancellationToken), CancellationToken.None))).ConfigureAwait(false);
        for (int i = 0; i < ordered.Length; i++)
        {
            if (failures[i] is { } failure)
            {
                sweep.CleanupFailed(ordered[i], failure is OperationCanceledException ? "cleanup cancelled" : failure.Message, failure);
            }
        }
    }

    private async Task<Exception?> CleanupAsync(string name, ISnapshotter snapshotter, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await snapshotter.CleanupAsync(cancellationToken).ConfigureAwait(false);
            GarbageCollectorLog.CleanedUp(_logger, name, Stopwatch.GetElapsedTime(started));
            return null;
        }
        catch (Exception e)
        {
            // Any failure (a plugin's, or the token's) is reported, never thrown: the collection committed already.
            return e;
        }
    }

    /// <summary>
    /// Publishes the image deletes and snapshot removals of a committed collection, each marked as not to be counted
    /// by the scheduler: the collector's own removals must not start another collection.
    /// </summary>
    private async Task PublishRemovalsAsync(GarbageCollectionResult result)
    {
        if (_events is null)
        {
            return;
        }

        foreach (string id in result.RemovedImages)
        {
            // "<namespace>/<name>": a namespace holds no '/', a name may.
            int slash = id.IndexOf('/', StringComparison.Ordinal);
            await _events.PublishAsync(id[..slash], UncountedDeletions.Mark(new ImageDelete(id[(slash + 1)..])), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (string id in result.RemovedSnapshots)
        {
            // "<snapshotter>/<key>": a snapshotter's name holds no '/'.
            int slash = id.IndexOf('/', StringComparison.Ordinal);
            await _events.PublishAsync(_snapshotNamespace!, UncountedDeletions.Mark(new SnapshotRemove(id[(slash + 1)..], id[..slash])), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private List<string> DatabasePaths()
    {
        var paths = new List<string> { Path.GetFullPath(_database.Path) };
        string labels = Path.GetFullPath(_content.LabelDatabasePath);
        if (!string.Equals(labels, paths[0], StringComparison.Ordinal))
        {
            paths.Add(labels);
        }

        return paths;
    }

    private static SqliteConnection OpenDatabase(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // The busy timeout: wait for a writer that holds the lock instead of failing.
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Expired leases (with their labels and resources) and expired images go in the metadata transaction.</summary>
    private static void SweepMetadata((SqliteConnection Connection, SqliteTransaction Transaction) db, List<GcMetadata.LeaseRow> leases, List<GcMetadata.ImageRow> images, GcSweep sweep)
    {
        foreach (GcMetadata.LeaseRow lease in leases)
        {
            string id = lease.Namespace + "/" + lease.Id;
            try
            {
                foreach (string sql in (ReadOnlySpan<string>)[
                    "DELETE FROM leases WHERE namespace = $ns AND id = $id",
                    "DELETE FROM lease_labels WHERE namespace = $ns AND id = $id",
                    "DELETE FROM lease_resources WHERE namespace = $ns AND lease_id = $id"])
                {
                    MetadataDatabase.Execute(db.Connection, db.Transaction, sql, ("$ns", lease.Namespace), ("$id", lease.Id));
                }

                sweep.Removed(GarbageCollectionResourceKind.Lease, id, 0);
            }
            catch (SqliteException e)
            {
                sweep.Failed(GarbageCollectionResourceKind.Lease, id, e.Message, e);
            }
        }

        foreach (GcMetadata.ImageRow image in images)
        {
            string id = image.Namespace + "/" + image.Name;
            try
            {
                MetadataDatabase.Execute(db.Connection, db.Transaction, "DELETE FROM images WHERE namespace = $ns AND name = $name", ("$ns", image.Namespace), ("$name", image.Name));
                sweep.Removed(GarbageCollectionResourceKind.Image, id, 0);
            }
            catch (SqliteException e)
            {
                sweep.Failed(GarbageCollectionResourceKind.Image, id, e.Message, e);
            }
        }
    }

    /// <summary>Unreached blobs: the file goes, then its labels in every namespace (only when the file went).</summary>
    private void SweepContent(List<ContentInfo> blobs, GcMarker marker, List<(SqliteConnection Connection, SqliteTransaction Transaction)> connections, GcSweep sweep, CancellationToken cancellationToken)
    {
        foreach (ContentInfo blob in blobs)
        {
            string digest = blob.Digest.ToString();
            if (marker.IsContentReached(digest))
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                File.Delete(_content.GetBlobPath(blob.Digest));
                foreach ((SqliteConnection connection, SqliteTransaction transaction) in connections)
                {
                    if (GcMetadata.TableExists(connection, transaction, "content_labels"))
                    {
                        MetadataDatabase.Execute(connection, transaction, "DELETE FROM content_labels WHERE digest = $digest", ("$digest", digest));
                        MetadataDatabase.Execute(connection, transaction, "DELETE FROM content_updates WHERE digest = $digest", ("$digest", digest));
                    }
                }

                sweep.Removed(GarbageCollectionResourceKind.Content, digest, blob.Size);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException)
            {
                sweep.Failed(GarbageCollectionResourceKind.Content, digest, e.Message, e);
            }
        }
    }

    private async Task SweepIngestsAsync(IReadOnlyList<ContentStatus> ingests, HashSet<string> leased, GcSweep sweep, CancellationToken cancellationToken)
    {
        foreach (ContentStatus ingest in ingests)
        {
            if (leased.Contains(ingest.Ref))
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _content.AbortAsync(ingest.Ref, cancellationToken).ConfigureAwait(false);
                sweep.Removed(GarbageCollectionResourceKind.Ingest, ingest.Ref, ingest.Offset);
            }
            catch (ResourceLockedException)
            {
                // A writer has it open: in use, like containerd's active ingests.
            }
            catch (NotFoundException)
            {
                // Committed or aborted since the listing.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                sweep.Failed(GarbageCollectionResourceKind.Ingest, ingest.Ref, e.Message, e);
            }
        }
    }

    /// <summary>Unreached snapshots, children before parents; a parent whose child stays is kept and reported.</summary>
    /// <returns>The snapshotters that had unreached snapshots (removed or not): containerd's dirty snapshotters.</returns>
    private async Task<IReadOnlySet<string>> SweepSnapshotsAsync(Dictionary<string, (string Snapshotter, SnapshotInfo Info)> snapshots, GcMarker marker, GcSweep sweep, CancellationToken cancellationToken)
    {
        // Children still present, per snapshot (reached or not: a reached child has a reached parent anyway).
        var children = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string snapshotter, SnapshotInfo info) in snapshots.Values)
        {
            if (info.Parent is { } parent)
            {
                string parentId = GcNode.SnapshotId(snapshotter, parent);
                children[parentId] = children.GetValueOrDefault(parentId) + 1;
            }
        }

        var pending = new HashSet<string>(snapshots.Keys.Where(id => !marker.IsSnapshotReached(id)), StringComparer.Ordinal);
        var swept = new HashSet<string>(pending.Select(id => snapshots[id].Snapshotter), StringComparer.Ordinal);
        bool progress = true;
        while (progress && pending.Count > 0)
        {
            progress = false;
            foreach (string id in pending.Where(id => children.GetValueOrDefault(id) == 0).Order(StringComparer.Ordinal).ToList())
            {
                cancellationToken.ThrowIfCancellationRequested();
                (string snapshotter, SnapshotInfo info) = snapshots[id];
                pending.Remove(id);
                ISnapshotter store = _snapshotters[snapshotter];
                long bytes = 0;
                try
                {
                    bytes = (await store.UsageAsync(info.Name, cancellationToken).ConfigureAwait(false)).Size;
                }
                catch (Exception e) when (e is ContainersException or IOException or UnauthorizedAccessException)
                {
                    // Usage is for the report only; the removal decides.
                }

                try
                {
                    await store.RemoveAsync(info.Name, cancellationToken).ConfigureAwait(false);
                    sweep.Removed(GarbageCollectionResourceKind.Snapshot, id, bytes);
                }
                catch (NotFoundException)
                {
                    // Removed since the listing: its parent may go now all the same.
                }
                catch (Exception e) when (e is ContainersException or IOException or UnauthorizedAccessException or SqliteException)
                {
                    sweep.Failed(GarbageCollectionResourceKind.Snapshot, id, e.Message, e);
                    continue;
                }

                progress = true;
                if (info.Parent is { } parent)
                {
                    children[GcNode.SnapshotId(snapshotter, parent)]--;
                }
            }
        }

        foreach (string id in pending.Order(StringComparer.Ordinal))
        {
            sweep.Failed(GarbageCollectionResourceKind.Snapshot, id, "kept: a child snapshot could not be removed");
        }

        return swept;
    }
}
