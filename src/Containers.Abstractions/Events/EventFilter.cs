using Containers.Filters;

namespace Containers.Events;

/// <summary>
/// Selects events for a subscription with containerd's filter syntax over the fields <c>topic</c> and
/// <c>namespace</c>: <c>topic==/tasks/exit</c>, <c>topic~=^/tasks/</c>, <c>namespace==default</c>.
/// Commas within one filter mean AND; several filters mean OR.
/// </summary>
public sealed class EventFilter
{
    private readonly Filter _filter;

    private EventFilter(Filter filter) => _filter = filter;

    /// <summary>A filter that lets every event through.</summary>
    public static EventFilter All { get; } = new(Filter.Always);

    /// <summary>The parsed filter.</summary>
    public Filter Filter => _filter;

    /// <summary>Parses filters of which any may match; none lets every event through.</summary>
    /// <param name="filters">containerd filter strings.</param>
    /// <exception cref="InvalidFilterException">A filter is malformed.</exception>
    public static EventFilter Parse(params IEnumerable<string> filters) => new(Filter.ParseAll(filters));

    /// <summary>Whether an event passes the filter.</summary>
    /// <param name="envelope">The event.</param>
    public bool Matches(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return _filter.Matches(path => path switch
        {
            ["topic"] => (envelope.Topic, true),
            ["namespace"] => (envelope.Namespace, true),
            _ => (string.Empty, false),
        });
    }

    /// <inheritdoc/>
    public override string ToString() => _filter.ToString();
}
