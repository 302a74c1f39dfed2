namespace Containers.Snapshots;

/// <summary>
/// Allocates, mounts and commits filesystem snapshots that form parent–child chains, as containerd's
/// snapshotter does. An image's layers become a chain of committed snapshots (each applied into an
/// active snapshot, then committed under its chain id); a container's root filesystem is an active
/// snapshot prepared on the top layer.
/// </summary>
/// <remarks>
/// Keys of active snapshots and views, and names of committed snapshots, share one key space.
/// Implementations are safe to call concurrently. Dispose the snapshotter to release its resources
/// (containerd's <c>Close</c>); disposing twice is harmless.
/// </remarks>
public interface ISnapshotter : IAsyncDisposable
{
    /// <summary>Returns the info of an active, view or committed snapshot.</summary>
    /// <param name="key">The key or name of the snapshot.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No snapshot has that key.</exception>
    ValueTask<SnapshotInfo> StatAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Updates the mutable properties (the labels) of a snapshot.</summary>
    /// <param name="info">The snapshot, found by <see cref="SnapshotInfo.Name"/>, with the new values.</param>
    /// <param name="fieldPaths">
    /// The fields to change: <c>labels</c> replaces all labels, <c>labels.&lt;key&gt;</c> sets or removes one;
    /// <see langword="null"/> or empty replaces all labels.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated info.</returns>
    /// <exception cref="NotFoundException">No snapshot has that name.</exception>
    /// <exception cref="InvalidSpecException">A field path names an immutable or unknown field.</exception>
    ValueTask<SnapshotInfo> UpdateAsync(SnapshotInfo info, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the disk use of a snapshot without its parents. For an active snapshot this may walk
    /// the whole tree, so it may take time proportional to its size.
    /// </summary>
    /// <param name="key">The key or name of the snapshot.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <exception cref="NotFoundException">No snapshot has that key.</exception>
    ValueTask<SnapshotUsage> UsageAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Returns again the mounts of an active snapshot or view, for example after a restart.</summary>
    /// <param name="key">The key of an active snapshot or a view.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No snapshot has that key.</exception>
    /// <exception cref="FailedPreconditionException">The snapshot is committed; committed snapshots are not mounted.</exception>
    ValueTask<IReadOnlyList<Mount>> MountsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a writable snapshot on a committed parent (or empty) and returns the mounts that show it.
    /// Changes made through the mounts are captured relative to the parent.
    /// </summary>
    /// <param name="key">The key of the new active snapshot.</param>
    /// <param name="parent">The name of a committed snapshot, or <see langword="null"/> or empty for an empty directory.</param>
    /// <param name="labels">Labels of the new snapshot, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation; a cancelled prepare leaves nothing behind.</param>
    /// <returns>The mounts to perform, in order.</returns>
    /// <exception cref="AlreadyExistsException">A snapshot with <paramref name="key"/> exists.</exception>
    /// <exception cref="NotFoundException">The parent does not exist.</exception>
    /// <exception cref="FailedPreconditionException">The parent is not committed.</exception>
    ValueTask<IReadOnlyList<Mount>> PrepareAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a read-only view of a committed parent and returns its mounts. A view can never be
    /// committed; remove it when done.
    /// </summary>
    /// <param name="key">The key of the new view.</param>
    /// <param name="parent">The name of a committed snapshot, or <see langword="null"/> or empty for an empty directory.</param>
    /// <param name="labels">Labels of the view, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The mounts to perform, read-only.</returns>
    /// <exception cref="AlreadyExistsException">A snapshot with <paramref name="key"/> exists.</exception>
    /// <exception cref="NotFoundException">The parent does not exist.</exception>
    /// <exception cref="FailedPreconditionException">The parent is not committed.</exception>
    ValueTask<IReadOnlyList<Mount>> ViewAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Captures the changes of an active snapshot as a committed snapshot with the same parent; the
    /// active snapshot is removed. Unmount it first.
    /// </summary>
    /// <param name="name">The name of the new committed snapshot (usually a layer chain id).</param>
    /// <param name="key">The key of the active snapshot.</param>
    /// <param name="labels">Labels of the committed snapshot, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No active snapshot has that key.</exception>
    /// <exception cref="AlreadyExistsException">A snapshot named <paramref name="name"/> exists.</exception>
    /// <exception cref="FailedPreconditionException">The key is a view or a committed snapshot.</exception>
    ValueTask CommitAsync(string name, string key, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a snapshot of any kind and its resources.</summary>
    /// <param name="key">The key or name of the snapshot.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No snapshot has that key.</exception>
    /// <exception cref="FailedPreconditionException">The snapshot is the parent of another snapshot.</exception>
    ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the snapshots that match any of the filters.</summary>
    /// <param name="filters">
    /// containerd filter strings over the fields <c>name</c>, <c>parent</c>, <c>kind</c> (<c>active</c>,
    /// <c>view</c>, <c>committed</c>) and <c>labels.&lt;key&gt;</c> (see <see cref="Filters.Filter"/>);
    /// <see langword="null"/> or empty lists all.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="InvalidFilterException">A filter is malformed (thrown on the first move).</exception>
    IAsyncEnumerable<SnapshotInfo> WalkAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Frees the disk space of removed snapshots whose cleanup was deferred to keep removal fast.
    /// Implementations without deferred cleanup complete immediately.
    /// </summary>
    /// <param name="cancellationToken">Cancels the cleanup; what is already freed stays freed.</param>
    ValueTask CleanupAsync(CancellationToken cancellationToken = default);
}
