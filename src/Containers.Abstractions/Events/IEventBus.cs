namespace Containers.Events;

/// <summary>
/// Publishes events and delivers them to subscribers, as containerd's event exchange does. Delivery
/// is in publish order per subscriber; a subscriber that falls too far behind loses events rather than
/// slowing publishers (implementations document their buffer).
/// </summary>
public interface IEventBus
{
    /// <summary>Publishes an event under its own topic, stamped with the current time.</summary>
    /// <param name="namespace">The namespace the event happened in.</param>
    /// <param name="event">The payload; its <see cref="ContainerEvent.Topic"/> is the topic.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    ValueTask PublishAsync(string @namespace, ContainerEvent @event, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes an event that happened elsewhere (for example in a shim) with its original
    /// timestamp and namespace.
    /// </summary>
    /// <param name="envelope">The event.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    /// <exception cref="InvalidSpecException">The envelope's topic differs from its payload's topic.</exception>
    ValueTask ForwardAsync(EventEnvelope envelope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Receives the events published after the subscription starts that pass the filter, until the
    /// token is cancelled or the enumeration is disposed.
    /// </summary>
    /// <param name="filter">Which events to receive, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    IAsyncEnumerable<EventEnvelope> SubscribeAsync(EventFilter? filter = null, CancellationToken cancellationToken = default);
}
