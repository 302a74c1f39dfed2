using Containers.Events;

namespace Containers.Lifecycle.Tests.Events;

/// <summary>
/// Records what a bus delivers from its creation on; <see cref="StopAsync"/> publishes an end marker and returns
/// everything delivered before it, so a test sees every event its calls published, in delivery order.
/// </summary>
internal sealed class EventRecorder : IAsyncDisposable
{
    private const string MarkerNamespace = "event-recorder";
    private readonly IEventBus _bus;
    private readonly End _end = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<List<EventEnvelope>> _reader;

    public EventRecorder(IEventBus bus, string? filter = null)
    {
        _bus = bus;
        // The marker passes any filter: it is matched by reference, not by the filter.
        EventFilter? parsed = filter is null ? null : EventFilter.Parse(filter, "namespace==" + MarkerNamespace);
        // Subscribed here, before the caller publishes anything.
        IAsyncEnumerable<EventEnvelope> events = bus.SubscribeAsync(parsed, _stop.Token);
        _reader = Task.Run(() => ReadAsync(events));
    }

    public async Task<IReadOnlyList<EventEnvelope>> StopAsync()
    {
        await _bus.PublishAsync(MarkerNamespace, _end);
        return await _reader.WaitAsync(TimeSpan.FromMinutes(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task<List<EventEnvelope>> ReadAsync(IAsyncEnumerable<EventEnvelope> events)
    {
        List<EventEnvelope> received = [];
        await foreach (EventEnvelope envelope in events)
        {
            if (ReferenceEquals(envelope.Event, _end))
            {
                break;
            }

            received.Add(envelope);
        }

        return received;
    }

    private sealed record End : ContainerEvent
    {
        public override string Topic => "/event-recorder/end";
    }
}
