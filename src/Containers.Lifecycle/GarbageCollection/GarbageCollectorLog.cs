using Microsoft.Extensions.Logging;

namespace Containers.GarbageCollection;

/// <summary>Log messages of the garbage collector.</summary>
internal static partial class GarbageCollectorLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "GC removed {Kind} {Id}")]
    public static partial void Removed(ILogger logger, GarbageCollectionResourceKind kind, string id);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "GC could not remove {Kind} {Id}: {Reason}")]
    public static partial void RemoveFailed(ILogger logger, GarbageCollectionResourceKind kind, string id, string reason, Exception? exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "GC finished in {Duration}: {Removed} removed, {Bytes} bytes freed, {Reachable} reachable kept, {Errors} errors")]
    public static partial void Finished(ILogger logger, TimeSpan duration, int removed, long bytes, int reachable, int errors);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "GC ignores label {Key}=\"{Value}\" of {Owner}: {Reason}")]
    public static partial void IgnoredLabel(ILogger logger, string key, string value, string owner, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "GC cleaned up snapshotter {Snapshotter} in {Duration}")]
    public static partial void CleanedUp(ILogger logger, string snapshotter, TimeSpan duration);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "GC could not clean up snapshotter {Snapshotter}: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string snapshotter, string reason, Exception exception);
}
