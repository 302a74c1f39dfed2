using Microsoft.Extensions.Logging;

namespace Containers.DependencyInjection;

/// <summary>Log messages of the runtime's composition root.</summary>
internal static partial class ContainerRuntimeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Opened metadata database {Path}")]
    public static partial void OpenedMetadata(ILogger logger, string path);
}
