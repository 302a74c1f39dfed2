using Microsoft.Extensions.Logging;

namespace Containers.Unpack;

/// <summary>Log messages of <see cref="Unpacker"/>.</summary>
internal static partial class UnpackerLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Applied layer {Layer} as {ChainId} into {Snapshotter} ({Bytes} bytes uncompressed)")]
    public static partial void Applied(ILogger logger, string layer, string chainId, string snapshotter, long bytes);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Another unpack committed {ChainId} first; keeping that one")]
    public static partial void CommittedElsewhere(ILogger logger, string chainId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Could not remove the failed extraction snapshot {Key}")]
    public static partial void RemoveFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Could not delete the unpack's lease {LeaseId}; it expires on its own")]
    public static partial void LeaseDeleteFailed(ILogger logger, Exception exception, string leaseId);
}
