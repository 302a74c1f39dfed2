using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Containers.Metadata;

namespace Containers.Events;

/// <summary>
/// The in-process event exchange. Publishing takes one lock while it hands the event to every
/// subscriber's queue, so all subscribers see events in the same (publish) order. Each subscriber has
/// a bounded queue of <see cref="EventBusOptions.SubscriberCapacity"/> events; when a slow subscriber's
/// queue is full its oldest queued event is dropped (counted in <see cref="DroppedEvents"/>), so a
/// publisher never blocks on a reader and memory stays bounded.
/// </summary>
public sealed class InProcessEventBus : IEventBus
{
    private readonly Lock _gate = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private long _dropped;

    /// <summary>Creates an event bus.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    public InProcessEventBus(EventBusOptions? options = null, TimeProvider? timeProvider = null)
    {
        _capacity = options?.SubscriberCapacity ?? new EventBusOptions().SubscriberCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(_capacity, 1, nameof(options));
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many events were dropped, over all subscribers, because a queue was full.</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>How many subscriptions are active.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask PublishAsync(string @namespace, ContainerEvent @event, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(@event);
        Identifiers.Validate(@namespace, "namespace");
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Stamped inside the lock so timestamps never go backwards in delivery order.
            Deliver(new EventEnvelope(_time.GetUtcNow(), @namespace, @event.Topic, @event));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask ForwardAsync(EventEnvelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(envelope.Event, nameof(envelope));
        if (envelope.Topic != envelope.Event.Topic)
        {
            throw new InvalidSpecException("topic", $"\"{envelope.Topic}\" differs from the payload's topic \"{envelope.Event.Topic}\"");
        }

        Identifiers.Validate(envelope.Namespace, "namespace");
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            Deliver(envelope);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Besides <c>topic</c> and <c>namespace</c>, filters may name payload fields as containerd does:
    /// <c>event.container_id</c>, <c>event.id</c>, <c>event.pid</c>, <c>event.exit_status</c>,
    /// <c>event.exec_id</c>, <c>event.image</c>, <c>event.name</c>, <c>event.key</c>,
    /// <c>event.snapshotter</c>, <c>event.digest</c>, <c>event.labels."k"</c>. The subscription is
    /// registered when this method is called, not at the first <c>MoveNextAsync</c>, so no event
    /// published after the call is missed.
    /// </remarks>
    public IAsyncEnumerable<EventEnvelope> SubscribeAsync(EventFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var subscription = new Subscription(filter ?? EventFilter.All, Channel.CreateBounded<EventEnvelope>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        }, _ => Interlocked.Increment(ref _dropped)));
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }

        // Cancelling unregisters even when the enumeration was never started.
        CancellationTokenRegistration registration = cancellationToken.Register(() => Unsubscribe(subscription));
        return ReadAsync(subscription, registration, cancellationToken);
    }

    private async IAsyncEnumerable<EventEnvelope> ReadAsync(Subscription subscription, CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (EventEnvelope envelope in subscription.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return envelope;
            }
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            Unsubscribe(subscription);
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    private void Deliver(EventEnvelope envelope)
    {
        foreach (Subscription subscription in _subscriptions)
        {
            if (Matches(subscription.Filter, envelope))
            {
                // DropOldest never refuses a write, so this does not block.
                subscription.Channel.Writer.TryWrite(envelope);
            }
        }
    }

    private static bool Matches(EventFilter filter, EventEnvelope envelope) =>
        filter.Filter.Matches(path => path switch
        {
            ["topic"] => (envelope.Topic, true),
            ["namespace"] => (envelope.Namespace, true),
            ["event", ..] => EventFields.Get(envelope.Event, path.Skip(1).ToArray()),
            _ => (string.Empty, false),
        });

    private sealed record Subscription(EventFilter Filter, Channel<EventEnvelope> Channel);
}
