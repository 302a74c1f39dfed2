using Containers.Mounts;
using Containers.Snapshots;

namespace Containers.Events;

/// <summary>
/// An <see cref="ISnapshotter"/> that publishes <c>/snapshot/prepare</c>, <c>/snapshot/commit</c> and
/// <c>/snapshot/remove</c> after each successful change of the snapshotter it wraps, as containerd's snapshots
/// service (services/snapshots/snapshotters.go) does: <see cref="SnapshotPrepare"/> (key, parent, snapshotter),
/// <see cref="SnapshotCommit"/> (key, name, snapshotter), <see cref="SnapshotRemove"/> (key, snapshotter).
/// Views, label updates and cleanups publish nothing, as there. A failed call publishes nothing.
/// </summary>
public sealed class PublishingSnapshotter : ISnapshotter
{
    private readonly IEventBus _events;
    private readonly string _namespace;
    private readonly bool _disposesInner;

    /// <summary>Wraps a snapshotter.</summary>
    /// <param name="inner">The snapshotter that does the work; disposed with this one.</param>
    /// <param name="snapshotterName">Its name (<c>overlayfs</c>, <c>native</c>), carried by each event.</param>
    /// <param name="events">Where the events go.</param>
    /// <param name="namespace">The namespace stamped on each event (the snapshotter itself has none).</param>
    public PublishingSnapshotter(ISnapshotter inner, string snapshotterName, IEventBus events, string @namespace)
        : this(inner, snapshotterName, events, @namespace, disposesInner: true)
    {
    }

    /// <summary>Wraps a snapshotter, disposing it with this one only when <paramref name="disposesInner"/> (not an instance the application registered itself).</summary>
    internal PublishingSnapshotter(ISnapshotter inner, string snapshotterName, IEventBus events, string @namespace, bool disposesInner)
    {
        _disposesInner = disposesInner;
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentException.ThrowIfNullOrEmpty(snapshotterName);
        _events = events ?? throw new ArgumentNullException(nameof(events));
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        SnapshotterName = snapshotterName;
        _namespace = @namespace;
    }

    /// <summary>The wrapped snapshotter (changes made through it publish nothing).</summary>
    public ISnapshotter Inner { get; }

    /// <summary>The snapshotter's name carried by the events.</summary>
    public string SnapshotterName { get; }

    /// <inheritdoc/>
    public ValueTask<SnapshotInfo> StatAsync(string key, CancellationToken cancellationToken = default) => Inner.StatAsync(key, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<SnapshotInfo> UpdateAsync(SnapshotInfo info, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default)
        => Inner.UpdateAsync(info, fieldPaths, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<SnapshotUsage> UsageAsync(string key, CancellationToken cancellationToken = default) => Inner.UsageAsync(key, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Mount>> MountsAsync(string key, CancellationToken cancellationToken = default) => Inner.MountsAsync(key, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Mount>> PrepareAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Mount> mounts = await Inner.PrepareAsync(key, parent, labels, cancellationToken).ConfigureAwait(false);
        // Not cancellable once the snapshot exists: the change happened and must be told.
        await _events.PublishAsync(_namespace, new SnapshotPrepare(key, parent, SnapshotterName), CancellationToken.None).ConfigureAwait(false);
        return mounts;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Mount>> ViewAsync(string key, string? parent, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
        => Inner.ViewAsync(key, parent, labels, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask CommitAsync(string name, string key, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        await Inner.CommitAsync(name, key, labels, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(_namespace, new SnapshotCommit(key, name, SnapshotterName), CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => RemoveAsync(key, counted: true, cancellationToken);

    /// <summary>
    /// Removes a snapshot and publishes <c>/snapshot/remove</c>; when not <paramref name="counted"/> (a container's root
    /// filesystem removed by the container's delete, which the scheduler counts already) the event is marked so the
    /// <see cref="GarbageCollection.GarbageCollectionScheduler"/> does not count it as a second deletion.
    /// </summary>
    internal async ValueTask RemoveAsync(string key, bool counted, CancellationToken cancellationToken)
    {
        await Inner.RemoveAsync(key, cancellationToken).ConfigureAwait(false);
        var removed = new SnapshotRemove(key, SnapshotterName);
        await _events.PublishAsync(_namespace, counted ? removed : GarbageCollection.UncountedDeletions.Mark(removed), CancellationToken.None).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SnapshotInfo> WalkAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default)
        => Inner.WalkAsync(filters, cancellationToken);

    /// <inheritdoc/>
    public ValueTask CleanupAsync(CancellationToken cancellationToken = default) => Inner.CleanupAsync(cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _disposesInner ? Inner.DisposeAsync() : ValueTask.CompletedTask;
}
