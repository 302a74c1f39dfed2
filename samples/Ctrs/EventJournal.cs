using System.Globalization;
using System.Text;
using Containers.Events;

namespace Containers.Samples.Ctrs;

/// <summary>
/// ctrs has no daemon, so there is no process whose event stream <c>ctrs events</c> could watch. Each
/// ctrs process instead appends the events its own library instance published (container, task,
/// image, snapshot topics) to <c>&lt;root&gt;/events.log</c>, one line per event, and <c>ctrs events</c>
/// reads that journal. Other applications embedding the library over the same root do not write to it.
/// </summary>
internal sealed class EventJournal : IAsyncDisposable
{
    private readonly IEventBus _bus;
    private readonly JournalEnd _end = new();
    private readonly Task _writer;

    private EventJournal(IEventBus bus, string path)
    {
        _bus = bus;
        // Subscribed here, before the caller can publish anything, so no event of this process is missed.
        IAsyncEnumerable<EventEnvelope> events = bus.SubscribeAsync();
        _writer = Task.Run(() => WriteAsync(events, path));
    }

    public static string PathUnder(string root) => Path.Combine(root, "events.log");

    public static EventJournal Start(IEventBus bus, string path) => new(bus, path);

    /// <summary>One journal line: <c>timestamp namespace topic payload</c>, as <c>ctr events</c> prints.</summary>
    public static string Format(EventEnvelope envelope)
        => string.Create(CultureInfo.InvariantCulture, $"{envelope.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ} {envelope.Namespace} {envelope.Topic} {envelope.Event}");

    /// <summary>Publishes an end marker and waits until everything published before it is written.</summary>
    public async ValueTask DisposeAsync()
    {
        await _bus.PublishAsync("ctrs", _end);
        await _writer;
    }

    private async Task WriteAsync(IAsyncEnumerable<EventEnvelope> events, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // O_APPEND and one write per line: lines of concurrent ctrs processes do not interleave.
        using Microsoft.Win32.SafeHandles.SafeFileHandle journal = AppendFile.Open(path);
        await foreach (EventEnvelope envelope in events)
        {
            if (ReferenceEquals(envelope.Event, _end))
            {
                return;
            }

            byte[] line = Encoding.UTF8.GetBytes(Format(envelope) + "\n");
            AppendFile.Write(journal, line);
        }
    }

    /// <summary>The marker that ends this process's journal writer; never written.</summary>
    private sealed record JournalEnd : ContainerEvent
    {
        public override string Topic => "/ctrs/journal-end";
    }
}
