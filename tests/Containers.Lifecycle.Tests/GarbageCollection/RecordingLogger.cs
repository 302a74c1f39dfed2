using Microsoft.Extensions.Logging;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>A logger that keeps every entry (event id, level, message, exception) and can act on one as it is written.</summary>
/// <typeparam name="T">The category.</typeparam>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly Action<EventId>? _onLog;
    private readonly List<(EventId Id, LogLevel Level, string Message, Exception? Exception)> _entries = [];

    /// <param name="onLog">Called with each entry's event id while it is logged, on the logging thread.</param>
    public RecordingLogger(Action<EventId>? onLog = null) => _onLog = onLog;

    /// <summary>A copy of the entries so far.</summary>
    public IReadOnlyList<(EventId Id, LogLevel Level, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId, logLevel, formatter(state, exception), exception));
        }

        _onLog?.Invoke(eventId);
    }
}
