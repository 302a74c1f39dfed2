using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>The streams of a task and its execs, for the host that deletes the task.</summary>
public sealed partial class ShimTaskService
{
    /// <summary>
    /// Deletes the task (as <see cref="DeleteAsync"/>) and returns, with its init's exit status, the streams of every exec
    /// the shim still held, running or exited but not deleted (the shim forgets them with the task, and only it knows
    /// them; its delete answer names them, so no <c>state</c> call comes first), and with <paramref name="initStdio"/>
    /// the init's (from the task's record, read before the delete removes it). The execs are empty when the shim was
    /// gone, or is one from before session 18, whose delete answer does not name them.
    /// </summary>
    /// <param name="containerId">The task.</param>
    /// <param name="initStdio">Whether the caller needs the init's streams (a handle that made them knows them already).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">There is no such task.</exception>
    /// <exception cref="FailedPreconditionException">The task is running.</exception>
    internal async ValueTask<(ExitStatus Status, TaskIO? Init, IReadOnlyList<TaskIO> Execs)> DeleteWithStdioAsync(string containerId, bool initStdio, CancellationToken cancellationToken)
    {
        // Read before the delete removes the record; a task that does not exist is refused by the delete itself.
        TaskIO? init = initStdio ? StdioOf(ReadTaskRecord(ShimDirectory(containerId), containerId)) : null;
        (ExitStatus status, IReadOnlyList<TaskIO> execs) = await DeleteCoreAsync(containerId, null, cancellationToken).ConfigureAwait(false);
        return (status, init, execs);
    }

    private static ShimTaskRecord? ReadTaskRecord(string directory, string containerId)
        => ShimFiles.TryRead(ShimPaths.TaskRecord(ShimPaths.Task(directory, containerId)), ShimJsonContext.Default.ShimTaskRecord);

    /// <summary>The init's streams as its task record names them (none without a record).</summary>
    private static TaskIO StdioOf(ShimTaskRecord? record)
        => record is null ? TaskIO.None : new TaskIO { Stdin = record.Stdin, Stdout = record.Stdout, Stderr = record.Stderr, Terminal = record.Terminal };
}
