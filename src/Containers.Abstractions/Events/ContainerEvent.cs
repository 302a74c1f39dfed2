namespace Containers.Events;

/// <summary>
/// The payload of an event. Each concrete payload type belongs to exactly one topic of
/// <see cref="EventTopics"/>, which <see cref="Topic"/> returns.
/// </summary>
public abstract record ContainerEvent
{
    /// <summary>The topic this payload is published under, for example <c>/tasks/exit</c>.</summary>
    public abstract string Topic { get; }
}
