using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// A task's watcher in one <see cref="ShimTaskService"/>: the loop that publishes its OOMs and exit, and the exit as soon as
/// the loop has it — before it claims and publishes the event — for a wait of the init in the same service.
/// </summary>
internal sealed class TaskWatch
{
    /// <summary>The init's exit, or <see langword="null"/> when the watcher ended without it (the task was deleted, the service is closing).</summary>
    public TaskCompletionSource<ExitStatus?> Exit { get; } = new();

    /// <summary>The watcher's loop: the exit it published or found published, or <see langword="null"/>.</summary>
    public Task<ExitStatus?> Done { get; set; } = Task.FromResult<ExitStatus?>(null);
}
