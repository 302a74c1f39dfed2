namespace Containers.GarbageCollection;

/// <summary>
/// When <see cref="GarbageCollectionScheduler"/> runs a collection: containerd's <c>io.containerd.gc.v1.scheduler</c>
/// configuration (pause_threshold, deletion_threshold, mutation_threshold, schedule_delay, startup_delay), same defaults.
/// </summary>
public sealed class GarbageCollectionSchedulerOptions
{
    /// <summary>Whether <c>AddContainerRuntime</c>'s host runs the scheduler; default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The largest share of real time scheduled collections may take, from their average duration (0.02:
    /// at most 20 ms of every second); 0 to 0.5, default 0.02. With 0 the interval between scheduled runs
    /// stays one second.
    /// </summary>
    public double PauseThreshold { get; set; } = 0.02;

    /// <summary>
    /// After this many deletions since the last collection, one is scheduled (after <see cref="ScheduleDelay"/>)
    /// even if the next scheduled one is later; 0 (default): deletions make the next scheduled run happen,
    /// and start one at once when none is scheduled.
    /// </summary>
    public int DeletionThreshold { get; set; }

    /// <summary>
    /// After this many changes of the metadata since the last collection, the next scheduled run happens even
    /// without deletions (and one is scheduled if none is); 0 disables; default 100.
    /// </summary>
    public int MutationThreshold { get; set; } = 100;

    /// <summary>How long after a trigger (a threshold passed, or <see cref="GarbageCollectionScheduler.ScheduleAndWaitAsync"/>) the collection runs; default zero.</summary>
    public TimeSpan ScheduleDelay { get; set; }

    /// <summary>When the first collection runs after the scheduler starts (it sets the base for the pause budget); zero for none; default 100 ms.</summary>
    public TimeSpan StartupDelay { get; set; } = TimeSpan.FromMilliseconds(100);
}
