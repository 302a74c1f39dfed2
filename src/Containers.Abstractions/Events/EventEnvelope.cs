namespace Containers.Events;

/// <summary>An event as subscribers receive it: the payload with when, where and under which topic it was published.</summary>
/// <param name="Timestamp">When the event was published (for a forwarded event, when it happened).</param>
/// <param name="Namespace">The namespace the event happened in.</param>
/// <param name="Topic">The topic, equal to <see cref="ContainerEvent.Topic"/> of <paramref name="Event"/>.</param>
/// <param name="Event">The payload.</param>
public sealed record EventEnvelope(DateTimeOffset Timestamp, string Namespace, string Topic, ContainerEvent Event);
