using Microsoft.Extensions.Logging;

namespace Containers.GarbageCollection;

/// <summary>Collects what the sweep removed and what it could not, logging each as it happens.</summary>
internal sealed class GcSweep
{
    private readonly ILogger _logger;
    private readonly Dictionary<GarbageCollectionResourceKind, List<string>> _removed = [];
    private readonly List<GarbageCollectionError> _errors = [];
    private long _bytes;

    public GcSweep(ILogger logger) => _logger = logger;

    public void Removed(GarbageCollectionResourceKind kind, string id, long bytes)
    {
        if (!_removed.TryGetValue(kind, out List<string>? list))
        {
            _removed[kind] = list = [];
        }

        list.Add(id);
        _bytes += bytes;
        GarbageCollectorLog.Removed(_logger, kind, id);
    }

    public void Failed(GarbageCollectionResourceKind kind, string id, string message, Exception? exception = null)
    {
        _errors.Add(new GarbageCollectionError(kind, id, message, exception));
        GarbageCollectorLog.RemoveFailed(_logger, kind, id, message, exception);
    }

    /// <summary>Records that the cleanup of snapshotter <paramref name="name"/> failed or was cut short.</summary>
    public void CleanupFailed(string name, string message, Exception exception)
    {
        _errors.Add(new GarbageCollectionError(GarbageCollectionResourceKind.Snapshotter, name, message, exception));
        GarbageCollectorLog.CleanupFailed(_logger, name, message, exception);
    }

    public GarbageCollectionResult ToResult(int reachable, TimeSpan duration) => new()
    {
        RemovedContent = Get(GarbageCollectionResourceKind.Content).Select(Digest.Parse).ToArray(),
        RemovedSnapshots = Get(GarbageCollectionResourceKind.Snapshot),
        RemovedIngests = Get(GarbageCollectionResourceKind.Ingest),
        RemovedLeases = Get(GarbageCollectionResourceKind.Lease),
        RemovedImages = Get(GarbageCollectionResourceKind.Image),
        BytesFreed = _bytes,
        Reachable = reachable,
        Errors = _errors.ToArray(),
        Duration = duration,
    };

    private string[] Get(GarbageCollectionResourceKind kind) => _removed.TryGetValue(kind, out List<string>? list) ? list.ToArray() : [];
}
