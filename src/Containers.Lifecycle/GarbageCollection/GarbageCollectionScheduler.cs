using System.Threading.Channels;
using Containers.Events;
using Containers.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containers.GarbageCollection;

/// <summary>
/// Runs <see cref="GarbageCollector"/> in the background as containerd's gc scheduler does: after
/// deletions and changes of the metadata (told through <see cref="MetadataDatabase.RegisterMutationCallback"/>
/// or <see cref="NotifyMutation"/>), after the deletions the event bus reports (<c>/images/delete</c>,
/// <c>/content/delete</c>, <c>/snapshot/remove</c>: what goes through other stores than the metadata
/// database), on request (<see cref="ScheduleAndWaitAsync"/>), and no more often than
/// the pause budget allows (<see cref="GarbageCollectionSchedulerOptions.PauseThreshold"/>).
/// </summary>
/// <remarks>
/// One loop decides and runs every collection, so two never overlap (the collector also serialises
/// collections started elsewhere, such as a synchronous lease delete). A failed collection is logged
/// and retried later, never thrown to the host; what a collection could not remove is in its result.
/// Changes that neither go through the metadata database nor are published on the event bus (an image
/// deleted from the image store directly, without an <see cref="ImageDelete"/> event) are not seen
/// unless reported with <see cref="NotifyMutation"/>.
/// </remarks>
public sealed class GarbageCollectionScheduler : BackgroundService
{
    private static readonly TimeSpan MinimumCollectionTime = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The deletions published on the bus that the metadata database does not report itself (container and
    /// lease deletes reach <see cref="NotifyMutation"/> through its callback; counting their events too
    /// would count them twice). Not counted either: what the collector publishes for its own removals, and the
    /// <c>/snapshot/remove</c> of a container's root filesystem removed by its delete, which is counted once already.
    /// </summary>
    private static readonly EventFilter DeletionTopics = EventFilter.Parse(
        "topic==" + EventTopics.ImageDelete, "topic==" + EventTopics.ContentDelete, "topic==" + EventTopics.SnapshotRemove);

    private readonly GarbageCollector _collector;
    private readonly GarbageCollectionSchedulerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IEventBus? _events;
    private readonly Channel<Trigger> _triggers = Channel.CreateUnbounded<Trigger>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _waitersLock = new();
    private List<TaskCompletionSource<GarbageCollectionResult>> _waiters = [];

    /// <summary>Creates the scheduler and subscribes it to the changes of <paramref name="database"/>.</summary>
    /// <param name="collector">The collector it runs.</param>
    /// <param name="database">The metadata database whose changes count as mutations (deletions as dirty ones); none when null.</param>
    /// <param name="options">Thresholds and delays; out-of-range values are clamped as containerd clamps them.</param>
    /// <param name="logger">Receives failures.</param>
    /// <param name="timeProvider">The clock of the delays; the system clock when null.</param>
    /// <param name="events">The bus whose image, content and snapshot deletions count as dirty mutations while the scheduler runs; none when null.</param>
    public GarbageCollectionScheduler(GarbageCollector collector, MetadataDatabase? database, GarbageCollectionSchedulerOptions? options = null,
        ILogger<GarbageCollectionScheduler>? logger = null, TimeProvider? timeProvider = null, IEventBus? events = null)
    {
        _events = events;
        ArgumentNullException.ThrowIfNull(collector);
        GarbageCollectionSchedulerOptions o = options ?? new GarbageCollectionSchedulerOptions();
        _collector = collector;
        _options = new GarbageCollectionSchedulerOptions
        {
            Enabled = o.Enabled,
            PauseThreshold = Math.Clamp(o.PauseThreshold, 0.0, 0.5),
            DeletionThreshold = Math.Max(0, o.DeletionThreshold),
            MutationThreshold = Math.Max(0, o.MutationThreshold),
            ScheduleDelay = o.ScheduleDelay < TimeSpan.Zero ? TimeSpan.Zero : o.ScheduleDelay,
            StartupDelay = o.StartupDelay < TimeSpan.Zero ? TimeSpan.Zero : o.StartupDelay,
        };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        database?.RegisterMutationCallback(NotifyMutation);
    }

    /// <summary>
    /// Raised after each collection the scheduler ran, on the scheduler's loop and before the collection's
    /// <see cref="ScheduleAndWaitAsync"/> callers are answered; a handler's exception is logged.
    /// </summary>
    public event EventHandler<GarbageCollectionResult>? Collected;

    /// <summary>How many collections the scheduler has run.</summary>
    public int Collections => Volatile.Read(ref _collections);

    private int _collections;

    /// <summary>Reports a change of the metadata; <paramref name="dirty"/> when something was deleted (or a reference dropped).</summary>
    /// <param name="dirty">Whether the change may have made garbage.</param>
    public void NotifyMutation(bool dirty) => _triggers.Writer.TryWrite(new Trigger(_time.GetUtcNow(), Mutation: true, dirty));

    /// <summary>Asks for a collection (after <see cref="GarbageCollectionSchedulerOptions.ScheduleDelay"/>) and waits for its result.</summary>
    /// <param name="cancellationToken">Stops waiting; the collection still runs.</param>
    /// <exception cref="InvalidOperationException">The collection failed (the error is logged).</exception>
    public Task<GarbageCollectionResult> ScheduleAndWaitAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            _waiters.Add(waiter);
        }

        _triggers.Writer.TryWrite(new Trigger(_time.GetUtcNow(), Mutation: false, Dirty: false));
        return waiter.Task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        // Subscribed before the first await, so deletions published once the host started are all seen.
        using CancellationTokenSource listen = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task listening = _events is null ? Task.CompletedTask : ListenForDeletionsAsync(_events.SubscribeAsync(DeletionTopics, listen.Token), listen.Token);

        DateTimeOffset? last = null;
        DateTimeOffset? next = _options.StartupDelay > TimeSpan.Zero ? _time.GetUtcNow() + _options.StartupDelay : null;
        TimeSpan interval = TimeSpan.FromSeconds(1);
        TimeSpan totalTime = TimeSpan.Zero;
        int collections = 0;
        bool triggered = false;
        int deletions = 0;
        int mutations = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!await WaitForTriggerOrTimeAsync(next, stoppingToken).ConfigureAwait(false))
                {
                    while (_triggers.Reader.TryRead(out Trigger trigger))
                    {
                        if (trigger.Mutation && last is not null && last > trigger.At)
                        {
                            continue; // the collection since then has seen it
                        }

                        deletions += trigger.Dirty ? 1 : 0;
                        mutations += trigger.Mutation ? 1 : 0;
                        // A request counts only while its waiter still waits: a collection that began between
                        // ScheduleAndWaitAsync adding its waiter and writing its trigger has answered it already.
                        triggered |= !trigger.Mutation && HasWaiters();
                        bool now = triggered
                            || (_options.DeletionThreshold > 0 && deletions >= _options.DeletionThreshold)
                            || (next is null && ((_options.DeletionThreshold == 0 && deletions > 0) || (_options.MutationThreshold > 0 && mutations >= _options.MutationThreshold)));
                        DateTimeOffset soon = _time.GetUtcNow() + _options.ScheduleDelay;
                        if (now && (next is null || next > soon))
                        {
                            next = soon;
                        }
                    }

                    continue;
                }

                // The scheduled time came: skip when nothing asked for a collection since the last one.
                if (!triggered && last is not null && deletions == 0 && (_options.MutationThreshold == 0 || mutations < _options.MutationThreshold))
                {
                    next = _time.GetUtcNow() + interval;
                    continue;
                }

                List<TaskCompletionSource<GarbageCollectionResult>> waiters;
                lock (_waitersLock)
                {
                    (waiters, _waiters) = (_waiters, []);
                }

                GarbageCollectionResult result;
                try
                {
                    result = await _collector.CollectAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    TimeSpan retry = last is not null && next is not null ? next.Value - last.Value + TimeSpan.FromSeconds(1) : _options.ScheduleDelay;
                    GarbageCollectionSchedulerLog.Failed(_logger, e, retry);
                    last = _time.GetUtcNow();
                    next = last + retry;
                    foreach (TaskCompletionSource<GarbageCollectionResult> waiter in waiters)
                    {
                        waiter.TrySetException(new InvalidOperationException("the garbage collection failed: " + e.Message, e));
                    }

                    continue;
                }

                Interlocked.Increment(ref _collections);
                totalTime += result.Duration;
                collections++;
                (triggered, deletions, mutations) = (false, 0, 0);
                if (_options.PauseThreshold > 0)
                {
                    // Long enough between runs that collections take at most PauseThreshold of the time.
                    TimeSpan average = totalTime / collections;
                    if (average < MinimumCollectionTime)
                    {
                        average = MinimumCollectionTime;
                    }

                    interval = average / _options.PauseThreshold - average;
                }

                last = _time.GetUtcNow();
                next = last + interval;
                GarbageCollectionSchedulerLog.Collected(_logger, result.RemovedCount, result.Errors.Count, interval);

                // Handlers first: a caller whose ScheduleAndWaitAsync returned and who then subscribes must not
                // be told of the collection it already waited for.
                try
                {
                    Collected?.Invoke(this, result);
                }
                catch (Exception e)
                {
                    GarbageCollectionSchedulerLog.HandlerFailed(_logger, e);
                }

                foreach (TaskCompletionSource<GarbageCollectionResult> waiter in waiters)
                {
                    waiter.TrySetResult(result);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            await listen.CancelAsync().ConfigureAwait(false);
            await listening.ConfigureAwait(false);
            lock (_waitersLock)
            {
                foreach (TaskCompletionSource<GarbageCollectionResult> waiter in _waiters)
                {
                    waiter.TrySetCanceled(stoppingToken);
                }

                _waiters = [];
            }
        }
    }

    private bool HasWaiters()
    {
        lock (_waitersLock)
        {
            return _waiters.Count > 0;
        }
    }

    /// <summary>Counts each deletion event as a dirty mutation until the host stops.</summary>
    private async Task ListenForDeletionsAsync(IAsyncEnumerable<EventEnvelope> deletions, CancellationToken stopping)
    {
        try
        {
            await foreach (EventEnvelope deletion in deletions.ConfigureAwait(false))
            {
                // The collector's own removals and a container's rootfs removal are not counted (see UncountedDeletions).
                if (!UncountedDeletions.IsMarked(deletion.Event))
                {
                    NotifyMutation(dirty: true);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The scheduler is stopping.
        }
    }

    /// <summary>Waits until a trigger arrives (false) or <paramref name="next"/> comes (true).</summary>
    private async Task<bool> WaitForTriggerOrTimeAsync(DateTimeOffset? next, CancellationToken stoppingToken)
    {
        if (_triggers.Reader.TryPeek(out _))
        {
            return false;
        }

        if (next is null)
        {
            await _triggers.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false);
            return false;
        }

        TimeSpan wait = next.Value - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return true;
        }

        using var timer = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
        try
        {
            await _triggers.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private readonly record struct Trigger(DateTimeOffset At, bool Mutation, bool Dirty);
}
