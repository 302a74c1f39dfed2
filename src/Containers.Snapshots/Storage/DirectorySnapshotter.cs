using System.Globalization;
using System.Runtime.CompilerServices;
using Containers.Filters;
using Containers.Mounts;
using Containers.Snapshots.Metadata;
using Containers.Common;
using Microsoft.Data.Sqlite;

namespace Containers.Snapshots;

/// <summary>
/// The part the overlay and native snapshotters share: snapshot records in SQLite, one directory per
/// snapshot under <c>&lt;root&gt;/snapshots/&lt;id&gt;</c>, and the crash-safe order of creating and removing them.
/// </summary>
/// <remarks>
/// <para>Creating: the directory is built under a temporary name (<c>new-*</c>); then, in one database
/// transaction, the record is inserted and the directory renamed to its id, and the transaction commits.
/// A crash before the commit leaves a directory without a record; a crash after it leaves both.</para>
/// <para>Removing: the record is deleted and committed first, then the directory is renamed to <c>rm-&lt;id&gt;</c> and
/// deleted. A crash in between leaves a directory without a record.</para>
/// <para>With background removal (<see cref="OverlaySnapshotterOptions.BackgroundRemoval"/>), the deletion of a removed
/// snapshot's <c>rm-&lt;id&gt;</c> directory runs on the thread pool after RemoveAsync returns, one directory after another;
/// <see cref="WhenRemovedAsync"/>, <see cref="CleanupAsync"/> and disposal wait for it. The order of record and rename is
/// the same, so a crash leaves what it leaves without it.</para>
/// <para>With a spare directory (<see cref="OverlaySnapshotterOptions.SpareDirectory"/>), the same background chain makes an
/// active snapshot's directory ahead (a <c>new-*</c> directory laid out as a Prepare without parent lays it out) after each
/// Prepare of an active snapshot, and the next such Prepare renames it into place instead of creating it.</para>
/// <para><see cref="CleanupAsync"/> deletes every directory that has no record, which is all a process crash can leave.</para>
/// <para>Durability: commits that touch committed snapshots (Commit, removing a layer, label updates) are fsynced.
/// Commits that only create or remove an active snapshot or a view — a container's root, which an OS crash or
/// power loss ends anyway — are not (<see cref="SnapshotMetadataStore"/>): such a loss can drop a tail of them,
/// and since nothing orders the unsynced database log against the directory renames on disk, it can also leave
/// (a) a directory without a record (a create's commit lost, its rename kept), which <see cref="CleanupAsync"/>
/// deletes and a create that is handed the same id replaces, or (b) the record of an active snapshot or view
/// whose directory is gone (a removal's commit lost, its rename or deletion kept; or a create's commit kept,
/// its rename lost). Opening the snapshotter and <see cref="CleanupAsync"/> drop such records; until then
/// Remove of one succeeds and Mounts, Usage and Commit refuse it with <see cref="FailedPreconditionException"/>.
/// A committed snapshot's record never takes that path: its removal's commit is synced before its directory
/// goes.</para>
/// </remarks>
public abstract class DirectorySnapshotter : ISnapshotter
{
    private static readonly IReadOnlyDictionary<string, string> s_noLabels = new Dictionary<string, string>(StringComparer.Ordinal);

    private readonly SnapshotMetadataStore _store;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TimeProvider _time;
    private readonly bool _backgroundRemoval;
    private readonly bool _keepSpare;
    private readonly TimeSpan _spareDelay;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _backgroundLock = new();
    private Task _background = Task.CompletedTask;
    private string? _spare;
    private int _disposed;

    private protected DirectorySnapshotter(string root, TimeProvider? timeProvider, bool backgroundRemoval = false, bool keepSpare = false, TimeSpan spareDelay = default)
    {
        _backgroundRemoval = backgroundRemoval;
        _keepSpare = keepSpare;
        _spareDelay = spareDelay;
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _time = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(SnapshotsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Each snapshot is a tree of its own, made and removed at a container's pace: spread them over ext4's block groups.
        _ = TopDirectoryFlag.TrySet(SnapshotsDirectory);
        _store = new SnapshotMetadataStore(Path.Combine(Root, "metadata.db"));
        DropLostRecords();
    }

    /// <summary>The snapshotter's root directory (holds <c>metadata.db</c> and <c>snapshots/</c>).</summary>
    public string Root { get; }

    private string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    /// <summary>The directory of snapshot <paramref name="id"/>.</summary>
    private protected string SnapshotDirectory(long id) => Path.Combine(SnapshotsDirectory, id.ToString(CultureInfo.InvariantCulture));

    /// <summary>The filesystem tree of snapshot <paramref name="id"/> (the overlay upper directory, or the native copy).</summary>
    private protected string FsDirectory(long id) => Path.Combine(SnapshotDirectory(id), "fs");

    /// <summary>Fills a new snapshot's directory (still under its temporary name).</summary>
    /// <param name="directory">The new snapshot's directory.</param>
    /// <param name="kind">Active or view.</param>
    /// <param name="parentIds">The parent chain, nearest first.</param>
    /// <param name="labels">The labels the snapshot is created with (never null).</param>
    /// <param name="cancellationToken">Cancels a long copy.</param>
    private protected abstract void CreateLayout(string directory, SnapshotKind kind, IReadOnlyList<long> parentIds, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken);

    /// <summary>Checks a new snapshot's labels beyond the common rules, before anything is written; none by default.</summary>
    /// <param name="labels">The labels given to Prepare or View.</param>
    private protected virtual void ValidateCreateLabels(IReadOnlyDictionary<string, string>? labels)
    {
    }

    /// <summary>Adjusts a new snapshot's directory for its labels after <see cref="CreateLayout"/>; nothing by default.</summary>
    /// <param name="directory">The new snapshot's directory (still under its temporary name).</param>
    /// <param name="parentIds">The parent chain, nearest first.</param>
    /// <param name="labels">The labels given to Prepare or View.</param>
    private protected virtual void ApplyCreateLabels(string directory, IReadOnlyList<long> parentIds, IReadOnlyDictionary<string, string>? labels)
    {
    }

    /// <summary>The mounts that show an active snapshot or view.</summary>
    private protected abstract IReadOnlyList<Mount> BuildMounts(SnapshotRecord record);

    /// <inheritdoc/>
    public ValueTask<SnapshotInfo> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        using SqliteConnection connection = _store.Open();
        return ValueTask.FromResult(SnapshotMetadataStore.Require(connection, null, key).Info);
    }

    /// <inheritdoc/>
    public async ValueTask<SnapshotInfo> UpdateAsync(SnapshotInfo info, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        ThrowIfDisposed();
        SnapshotMetadataStore.ValidateLabels(info.Labels);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using SqliteConnection connection = _store.Open();
            using SqliteTransaction transaction = connection.BeginTransaction();
            SnapshotRecord record = SnapshotMetadataStore.Require(connection, transaction, info.Name);
            var labels = new Dictionary<string, string>(record.Info.Labels, StringComparer.Ordinal);
            if (fieldPaths is null || fieldPaths.Count == 0)
            {
                labels = new Dictionary<string, string>(info.Labels, StringComparer.Ordinal);
            }
            else
            {
                foreach (string path in fieldPaths)
                {
                    if (path == "labels")
                    {
                        labels = new Dictionary<string, string>(info.Labels, StringComparer.Ordinal);
                    }
                    else if (path.StartsWith("labels.", StringComparison.Ordinal))
                    {
                        string key = path["labels.".Length..];
                        if (info.Labels.TryGetValue(key, out string? value) && value.Length > 0)
                        {
                            labels[key] = value;
                        }
                        else
                        {
                            labels.Remove(key);
                        }
                    }
                    else
                    {
                        throw new InvalidSpecException(path, "cannot update this field of a snapshot (only labels are mutable)");
                    }
                }
            }

            SnapshotMetadataStore.SetLabels(connection, transaction, record.Id, labels, _time.GetUtcNow());
            SnapshotInfo updated = SnapshotMetadataStore.Get(connection, transaction, record.Id).Info;
            transaction.Commit();
            return updated;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    public ValueTask<SnapshotUsage> UsageAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        SnapshotRecord record;
        using (SqliteConnection connection = _store.Open())
        {
            record = SnapshotMetadataStore.Require(connection, null, key);
        }

        if (record.Info.Kind == SnapshotKind.Committed)
        {
            return ValueTask.FromResult(record.Usage);
        }

        RequireDirectory(record);
        return ValueTask.FromResult(DiskUsage.Measure(FsDirectory(record.Id), cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Mount>> MountsAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        using SqliteConnection connection = _store.Open();
        SnapshotRecord record = SnapshotMetadataStore.Require(connection, null, key);
        if (record.Info.Kind == SnapshotKind.Committed)
        {
            throw new FailedPreconditionException($"snapshot \"{key}\" is committed; only active snapshots and views have mounts");
        }

        RequireDirectory(record);
        return ValueTask.FromResult(BuildMounts(record));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Mount>> PrepareAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        CreateAsync(SnapshotKind.Active, key, parent, labels, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Mount>> ViewAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        CreateAsync(SnapshotKind.View, key, parent, labels, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask CommitAsync(string name, string key, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        SnapshotMetadataStore.ValidateLabels(labels);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SnapshotRecord record;
            using (SqliteConnection connection = _store.Open())
            {
                record = SnapshotMetadataStore.Require(connection, null, key);
            }

            if (record.Info.Kind != SnapshotKind.Active)
            {
                throw new FailedPreconditionException($"snapshot \"{key}\" is {record.Info.Kind.ToString().ToLowerInvariant()}, not active; only active snapshots can be committed");
            }

            RequireDirectory(record);

            // Measured before the transaction: the tree no longer changes (the caller unmounted it).
            SnapshotUsage usage = DiskUsage.Measure(FsDirectory(record.Id), cancellationToken);

            // Synced: a layer must survive a power loss once Commit returns (its record also makes every
            // earlier unsynced commit durable, among them this snapshot's own Prepare).
            using (SqliteConnection connection = _store.Open(synced: true))
            using (SqliteTransaction transaction = connection.BeginTransaction())
            {
                SnapshotMetadataStore.Commit(connection, transaction, record.Id, name, labels, usage, _time.GetUtcNow());
                transaction.Commit();
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfDisposed();
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        long id;
        try
        {
            id = DeleteRecord(key);
        }
        finally
        {
            _writeLock.Release();
        }

        // Order: the record's commit first, the directory after. For a committed snapshot that commit is
        // synced, so no crash can leave its record without its directory (a child prepared on it later would
        // mount a missing lower); at worst the directory outlives the record, and CleanupAsync deletes it.
        // For an active snapshot or view the commit is not synced, so a power loss may keep the rename or the
        // deletion below and lose the commit: a record without a directory, which is dropped on open and at
        // cleanup and refused by Mounts/Usage/Commit until then (class remarks). Renaming first, inside the
        // transaction as a create does, would not avoid that state (the unsynced commit can be lost all the
        // same) and would make a committed snapshot's record point at rm-<id> after a crash.
        // The record is gone, so the directory is an orphan now; if deleting it fails (a mount still
        // holds it, a crash), CleanupAsync removes it later.
        string removing = Path.Combine(SnapshotsDirectory, "rm-" + id.ToString(CultureInfo.InvariantCulture));
        if (Interop.Rename(SnapshotDirectory(id), removing, Interop.RENAME_NOREPLACE) != 0)
        {
            return;
        }

        if (!_backgroundRemoval)
        {
            TryDeleteTree(removing);
            return;
        }

        // Off the caller's path: on a file system mounted with online discard every freed block is a synchronous
        // discard (~0.05 ms each on this VM), and a container's snapshot frees a dozen directories' blocks.
        lock (_backgroundLock)
        {
            _background = _background.ContinueWith(static (_, state) => TryDeleteTree((string)state!), removing, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Completes when the directories of the snapshots removed so far are deleted and the spare directory queued so far is
    /// made: at once without background removal and spare (<see cref="OverlaySnapshotterOptions.BackgroundRemoval"/>,
    /// <see cref="OverlaySnapshotterOptions.SpareDirectory"/>), where RemoveAsync deletes the directories itself.
    /// </summary>
    /// <returns>A task that completes when no background step queued before the call is left.</returns>
    public Task WhenRemovedAsync()
    {
        lock (_backgroundLock)
        {
            return _background;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SnapshotInfo> WalkAsync(IReadOnlyList<string>? filters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Filter filter = Filter.ParseAll(filters);
        List<SnapshotInfo> infos = [];
        using (SqliteConnection connection = _store.Open())
        using (SqliteTransaction transaction = connection.BeginTransaction())
        {
            foreach (long id in SnapshotMetadataStore.AllIds(connection, transaction))
            {
                infos.Add(SnapshotMetadataStore.Get(connection, transaction, id).Info);
            }
        }

        // Yielded after the read transaction ends, so the caller may call back into the snapshotter.
        foreach (SnapshotInfo info in infos)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (filter.Matches(path => Field(info, path)))
            {
                yield return info;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask CleanupAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        // A removal still deleting in the background would be found as an orphan and deleted twice. The spare directory
        // has no record either: it goes with the orphans, and the next active snapshot is made from scratch.
        await WhenRemovedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = TakeSpare();
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            DropLostRecords();
            HashSet<long> known;
            using (SqliteConnection connection = _store.Open())
            {
                known = [.. SnapshotMetadataStore.AllIds(connection, null)];
            }

            foreach (string directory in Directory.EnumerateDirectories(SnapshotsDirectory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = Path.GetFileName(directory);
                if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && known.Contains(id))
                {
                    continue;
                }

                // new-* (a create that never committed), rm-* (a removal cut short) and ids without a record.
                TryDeleteTree(directory);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Releases the snapshotter after the deletions of removed snapshots still running in the background; the database
    /// holds no open handle between calls, so this otherwise only marks it closed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _closing.CancelAsync().ConfigureAwait(false);
            await WhenRemovedAsync().ConfigureAwait(false);
            if (TakeSpare() is string spare)
            {
                TryDeleteTree(spare);
            }

            _writeLock.Dispose();
            _store.Dispose();
            _closing.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private async ValueTask<IReadOnlyList<Mount>> CreateAsync(SnapshotKind kind, string key, string? parent, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        ValidateName(key, nameof(key));
        ThrowIfDisposed();
        SnapshotMetadataStore.ValidateLabels(labels);
        ValidateCreateLabels(labels);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        string temp = NewTemporaryDirectory();
        try
        {
            IReadOnlyList<long> parentIds = [];
            using (SqliteConnection connection = _store.Open())
            {
                if (SnapshotMetadataStore.Find(connection, null, key) is not null)
                {
                    throw new AlreadyExistsException("snapshot", key);
                }

                if (!string.IsNullOrEmpty(parent))
                {
                    SnapshotRecord parentRecord = SnapshotMetadataStore.Require(connection, null, parent);
                    if (parentRecord.Info.Kind != SnapshotKind.Committed)
                    {
                        throw new FailedPreconditionException($"parent \"{parent}\" is {parentRecord.Info.Kind.ToString().ToLowerInvariant()}, not committed");
                    }

                    parentIds = [parentRecord.Id, .. parentRecord.ParentIds];
                }
            }

            // The spare is taken only now, after the checks, so a refused Prepare does not use it up.
            if (kind == SnapshotKind.Active && TakeSpare() is string spare)
            {
                temp = spare;
            }
            else
            {
                Directory.CreateDirectory(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            // On a spare its directories exist already: this sets their modes and owner.
            CreateLayout(temp, kind, parentIds, labels ?? s_noLabels, cancellationToken);
            ApplyCreateLabels(temp, parentIds, labels);
            cancellationToken.ThrowIfCancellationRequested();

            // Not synced: only active snapshots and views are created here, and losing this commit to a power
            // loss leaves a directory without a record (or, if the rename is lost instead, a record without a
            // directory), both undone by open and cleanup (class remarks). A later Commit of this snapshot is
            // synced and makes this commit durable first.
            SnapshotRecord record;
            using (SqliteConnection connection = _store.Open(synced: false))
            using (SqliteTransaction transaction = connection.BeginTransaction())
            {
                long id = SnapshotMetadataStore.Insert(connection, transaction, kind, key, parentIds.Count > 0 ? parentIds[0] : null, labels, _time.GetUtcNow());
                MoveIntoPlace(temp, SnapshotDirectory(id));
                record = SnapshotMetadataStore.Get(connection, transaction, id);
                try
                {
                    transaction.Commit();
                }
                catch
                {
                    // Back to a temporary name, so no directory is taken for a record that does not exist.
                    _ = Interop.Rename(SnapshotDirectory(id), temp, Interop.RENAME_NOREPLACE);
                    throw;
                }
            }

            if (_keepSpare && kind == SnapshotKind.Active)
            {
                QueueSpare();
            }

            return BuildMounts(record);
        }
        catch
        {
            TryDeleteTree(temp);
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private string NewTemporaryDirectory() => Path.Combine(SnapshotsDirectory, "new-" + Guid.NewGuid().ToString("N"));

    /// <summary>The spare directory, if one is made and still there (another process's CleanupAsync may have taken it).</summary>
    private string? TakeSpare()
    {
        string? spare;
        lock (_backgroundLock)
        {
            spare = _spare;
            _spare = null;
        }

        return spare is not null && Directory.Exists(spare) ? spare : null;
    }

    /// <summary>
    /// Makes the next active snapshot's directory in the background, after the deletions queued before it, once the
    /// spare delay has passed: made at once, its three directories were made while the Prepare's caller mounted the
    /// snapshot and started its container, and on two cores (and an ext4 slow to allocate inodes) that cost the run
    /// 1.4–3.3 ms (A/B of lone runs).
    /// </summary>
    private void QueueSpare()
    {
        if (_spareDelay <= TimeSpan.Zero)
        {
            EnqueueSpare();
            return;
        }

        _ = QueueSpareLaterAsync();
    }

    private async Task QueueSpareLaterAsync()
    {
        try
        {
            await Task.Delay(_spareDelay, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return; // disposed meanwhile (or before: a Prepare that was under way when disposal began)
        }

        EnqueueSpare();
    }

    private void EnqueueSpare()
    {
        lock (_backgroundLock)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _background = _background.ContinueWith(static (_, state) => ((DirectorySnapshotter)state!).MakeSpare(), this, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
    }

    private void MakeSpare()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_backgroundLock)
        {
            if (_spare is not null)
            {
                return;
            }
        }

        // Named new-* as a create's temporary directory is: after a crash CleanupAsync deletes it like one.
        string directory = NewTemporaryDirectory();
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            CreateLayout(directory, SnapshotKind.Active, [], s_noLabels, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ContainersException)
        {
            TryDeleteTree(directory);
            return;
        }

        lock (_backgroundLock)
        {
            if (_spare is null && Volatile.Read(ref _disposed) == 0)
            {
                _spare = directory;
                return;
            }
        }

        TryDeleteTree(directory);
    }

    /// <summary>
    /// Deletes the record of <paramref name="key"/> (which must have no children) and returns its id. The commit
    /// is synced only when the snapshot is committed; SQLite fixes the level before the transaction begins, so
    /// the kind is read first and read again inside the transaction, which starts over synced should the
    /// snapshot have been committed in between (by another process on the same root).
    /// </summary>
    private long DeleteRecord(string key)
    {
        using SqliteConnection connection = _store.Open();
        bool synced = SnapshotMetadataStore.Require(connection, null, key).Info.Kind == SnapshotKind.Committed;
        while (true)
        {
            SnapshotMetadataStore.SetSynced(connection, synced);
            using SqliteTransaction transaction = connection.BeginTransaction();
            SnapshotRecord record = SnapshotMetadataStore.Require(connection, transaction, key);
            if (!synced && record.Info.Kind == SnapshotKind.Committed)
            {
                transaction.Rollback();
                synced = true;
                continue;
            }

            if (SnapshotMetadataStore.HasChildren(connection, transaction, record.Id))
            {
                throw new FailedPreconditionException($"cannot remove snapshot \"{key}\": it is the parent of another snapshot");
            }

            SnapshotMetadataStore.Delete(connection, transaction, record.Id);
            transaction.Commit();
            return record.Id;
        }
    }

    /// <summary>
    /// Drops the records of active snapshots and views whose directory is gone — state (b) of the class remarks,
    /// which only an OS crash or power loss (or someone deleting the directory) leaves. Nothing can have such a
    /// snapshot as its parent, so nothing else changes. A removal racing with this has committed its own delete
    /// before it renames the directory away, so the delete here then finds no record; ids are never handed out
    /// again while a record holds them (AUTOINCREMENT), so it cannot hit a newer snapshot.
    /// </summary>
    private void DropLostRecords()
    {
        using SqliteConnection connection = _store.Open(synced: false);
        List<long> lost = [.. SnapshotMetadataStore.UncommittedIds(connection, null).Where(id => !Directory.Exists(SnapshotDirectory(id)))];
        if (lost.Count == 0)
        {
            return;
        }

        using SqliteTransaction transaction = connection.BeginTransaction();
        foreach (long id in lost)
        {
            SnapshotMetadataStore.DeleteUncommitted(connection, transaction, id);
        }

        transaction.Commit();
    }

    /// <summary>Refuses an active snapshot or view whose directory is gone (see <see cref="DropLostRecords"/>).</summary>
    /// <exception cref="FailedPreconditionException">The directory is gone.</exception>
    private void RequireDirectory(SnapshotRecord record)
    {
        if (!Directory.Exists(SnapshotDirectory(record.Id)))
        {
            throw new FailedPreconditionException($"snapshot \"{record.Info.Name}\" has lost its directory (a removal cut short by a power loss, or deleted behind the snapshotter's back); remove it");
        }
    }

    /// <summary>
    /// Renames the finished directory to its id. An id whose transaction never committed (a crash) can be
    /// handed out again and find its old directory still there: that directory has no record, so it goes.
    /// </summary>
    private static void MoveIntoPlace(string temp, string final)
    {
        int errno = Interop.Rename(temp, final, Interop.RENAME_NOREPLACE);
        if (errno == Interop.EEXIST)
        {
            TryDeleteTree(final);
            errno = Interop.Rename(temp, final, Interop.RENAME_NOREPLACE);
        }

        if (errno != 0)
        {
            throw new ErrnoException(errno, "rename", final);
        }
    }

    private static (string Value, bool Present) Field(SnapshotInfo info, IReadOnlyList<string> path) => path switch
    {
        ["name"] => (info.Name, true),
        ["parent"] => (info.Parent ?? string.Empty, info.Parent is not null),
        ["kind"] => (info.Kind.ToString().ToLowerInvariant(), true),
        _ when path.Count > 1 && path[0] == "labels" && info.Labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) => (value, true),
        _ => (string.Empty, false),
    };

    private static void ValidateName(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        if (name.Length == 0)
        {
            throw new InvalidSpecException(parameter, "a snapshot key or name must not be empty");
        }
    }

    /// <summary>Deletes a tree without following links; failures are left for the next cleanup.</summary>
    private protected static void TryDeleteTree(string path)
    {
        try
        {
            TreeRemover.Remove(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
