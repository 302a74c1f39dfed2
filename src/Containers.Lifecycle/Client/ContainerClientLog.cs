using Microsoft.Extensions.Logging;

namespace Containers.Client;

/// <summary>Log messages of <see cref="ContainerClient"/> and its handles.</summary>
internal static partial class ContainerClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Pulled {Image} ({Digest}): {Applied} layer(s) unpacked, {Skipped} already present")]
    public static partial void Pulled(ILogger logger, string image, string digest, int applied, int skipped);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Created container {Id} from {Image} on snapshot {Key}")]
    public static partial void Created(ILogger logger, string id, string image, string key);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Deleted container {Id}")]
    public static partial void Deleted(ILogger logger, string id);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Created task {Id} (pid {Pid}) in bundle {Bundle}")]
    public static partial void TaskCreated(ILogger logger, string id, int pid, string bundle);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Output of {Id} {ExecId} still open {Seconds} s after its exit; it is copied until the process is deleted")]
    public static partial void OutputStillOpen(ILogger logger, string id, string? execId, int seconds);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Removed the stale bundle {Bundle} of container {Id}: no task exists for it (a host died before deleting it)")]
    public static partial void StaleBundleRemoved(ILogger logger, string id, string bundle);
}
