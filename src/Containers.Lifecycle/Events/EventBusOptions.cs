namespace Containers.Events;

/// <summary>Options of <see cref="InProcessEventBus"/>.</summary>
public sealed class EventBusOptions
{
    /// <summary>
    /// How many undelivered events one subscriber may have queued (default 1024). When its queue is
    /// full the oldest queued event is dropped for that subscriber only: publishers never wait and
    /// other subscribers are not affected.
    /// </summary>
    public int SubscriberCapacity { get; set; } = 1024;
}
