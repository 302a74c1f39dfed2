using Microsoft.Extensions.Logging;

namespace Containers.GarbageCollection;

/// <summary>Log messages of <see cref="GarbageCollectionScheduler"/>.</summary>
internal static partial class GarbageCollectionSchedulerLog
{
    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Scheduled garbage collection failed; retrying in {Retry}")]
    public static partial void Failed(ILogger logger, Exception exception, TimeSpan retry);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Scheduled garbage collection done ({Removed} removed, {Errors} errors); next check in {Interval}")]
    public static partial void Collected(ILogger logger, int removed, int errors, TimeSpan interval);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "A handler of the Collected event failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
