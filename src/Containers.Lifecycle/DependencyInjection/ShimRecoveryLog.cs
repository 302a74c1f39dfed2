using Microsoft.Extensions.Logging;

namespace Containers.DependencyInjection;

/// <summary>Log messages of <see cref="ShimRecoveryService"/>.</summary>
internal static partial class ShimRecoveryLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Reconnected to task {Id}: {Status}, pid {Pid}")]
    public static partial void FoundRunning(ILogger logger, string id, string status, int pid);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Found task {Id} stopped: exit code {ExitCode} at {ExitedAt} {Failure}")]
    public static partial void FoundStopped(ILogger logger, string id, int exitCode, DateTimeOffset exitedAt, string? failure);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Shim recovery: {Count} task(s) found")]
    public static partial void Reconnected(ILogger logger, int count);
}
