using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>The streams of a task and its execs, for the host that deletes the task.</summary>
public sealed partial class ShimTaskService
{
    /// <summary>
    /// The init's stdio (from the task's record) and that of every exec the task's shim still holds, running or
    /// exited but not deleted (the shim forgets them with the task's delete, and only it knows them) — one
    /// <c>state</c> call. The execs are empty when the shim is gone, or a shim before session 14 does not list them.
    /// </summary>
    /// <param name="containerId">The task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">There is no such task.</exception>
    internal async ValueTask<(TaskIO Init, IReadOnlyList<TaskIO> Execs)> StdioAsync(string containerId, CancellationToken cancellationToken)
    {
        string directory = RequireShimDirectory(containerId);
        ShimTaskRecord? record = ShimFiles.TryRead(ShimPaths.TaskRecord(ShimPaths.Task(directory, containerId)), ShimJsonContext.Default.ShimTaskRecord);
        TaskIO init = record is null ? TaskIO.None : new TaskIO { Stdin = record.Stdin, Stdout = record.Stdout, Stderr = record.Stderr, Terminal = record.Terminal };
        try
        {
            ShimResponse response = await new ShimClient(directory)
                .CallAsync(new ShimRequest { Op = ShimOps.State, Id = containerId }, cancellationToken).ConfigureAwait(false);
            return (init, response.Execs is null
                ? []
                : [.. response.Execs.Select(e => new TaskIO { Stdin = e.Stdin, Stdout = e.Stdout, Stderr = e.Stderr, Terminal = e.Terminal })]);
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            return (init, []);
        }
    }
}
