using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// A task's watcher in one <see cref="ShimTaskService"/>: the loop that publishes its OOMs and exit, and the exit as soon as
/// the loop has it — before it claims and publishes the event — for a wait of the init in the same service.
/// </summary>
internal sealed class TaskWatch
{
    /// <summary>The init's exit, or <see langword="null"/> when the watcher ended without it (the task was deleted, the service is closing).</summary>
    /// <remarks>
    /// Its waiters continue on the thread pool, not on the watcher's thread: one that blocked there on the exit's
    /// event (which the watcher publishes after setting this) would never see it.
    /// </remarks>
    public TaskCompletionSource<ExitStatus?> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The watcher's loop: the exit it published or found published, or <see langword="null"/>.</summary>
    public Task<ExitStatus?> Done { get; set; } = Task.FromResult<ExitStatus?>(null);
}
