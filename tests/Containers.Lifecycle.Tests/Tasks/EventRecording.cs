using Containers.Events;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A subscription to a bus opened before the calls under test (its first move is pending at once, so nothing published
/// after <see cref="Start"/> is missed), read afterwards until the events seen so far satisfy a condition.
/// </summary>
internal sealed class EventRecording : IAsyncDisposable
{
    private readonly IAsyncEnumerator<EventEnvelope> _subscription;
    private readonly Task<bool> _firstMove;

    private EventRecording(IAsyncEnumerator<EventEnvelope> subscription)
    {
        _subscription = subscription;
        _firstMove = subscription.MoveNextAsync().AsTask();
    }

    public static EventRecording Start(InProcessEventBus events, CancellationToken cancellationToken)
        => new(events.SubscribeAsync(cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken));

    /// <summary>The events in order, up to and including the first after which <paramref name="done"/> holds (or all, if the stream ends first).</summary>
    public async Task<List<EventEnvelope>> UntilAsync(Func<IReadOnlyList<EventEnvelope>, bool> done)
    {
        List<EventEnvelope> seen = [];
        bool more = await _firstMove;
        while (more)
        {
            seen.Add(_subscription.Current);
            more = !done(seen) && await _subscription.MoveNextAsync();
        }

        return seen;
    }

    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
