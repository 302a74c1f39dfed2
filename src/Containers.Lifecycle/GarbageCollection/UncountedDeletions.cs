using System.Runtime.CompilerServices;
using Containers.Events;

namespace Containers.GarbageCollection;

/// <summary>
/// Deletion events that <see cref="GarbageCollectionScheduler"/> does not count: those the collector publishes
/// for what it removed itself (a collection must not start the next one), and the removal of a container's root
/// filesystem (the container's delete is counted already, through the metadata database). Marked by reference,
/// so an equal event published by anyone else still counts; weakly held, so an event nobody listens to is not kept.
/// </summary>
internal static class UncountedDeletions
{
    private static readonly ConditionalWeakTable<ContainerEvent, object> Marked = [];
    private static readonly object Present = new();

    /// <summary>Marks <paramref name="event"/> (before it is published) and returns it.</summary>
    public static T Mark<T>(T @event)
        where T : ContainerEvent
    {
        Marked.AddOrUpdate(@event, Present);
        return @event;
    }

    /// <summary>Whether <paramref name="event"/> is this very instance of a marked event.</summary>
    public static bool IsMarked(ContainerEvent @event) => Marked.TryGetValue(@event, out _);
}
