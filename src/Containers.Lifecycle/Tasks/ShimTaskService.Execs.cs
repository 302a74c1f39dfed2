using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>The streams of a task's execs, for the host that deletes the task.</summary>
public sealed partial class ShimTaskService
{
    /// <summary>
    /// The stdio of every exec the task's shim still holds, running or exited but not deleted (the shim
    /// forgets them with the task's delete, and only it knows them). Empty when the shim is gone, or a shim
    /// before session 14 does not list them.
    /// </summary>
    /// <param name="containerId">The task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">There is no such task.</exception>
    internal async ValueTask<IReadOnlyList<TaskIO>> ExecStdioAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            ShimResponse response = await new ShimClient(RequireShimDirectory(containerId))
                .CallAsync(new ShimRequest { Op = ShimOps.State, Id = containerId }, cancellationToken).ConfigureAwait(false);
            return response.Execs is null
                ? []
                : [.. response.Execs.Select(e => new TaskIO { Stdin = e.Stdin, Stdout = e.Stdout, Stderr = e.Stderr, Terminal = e.Terminal })];
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            return [];
        }
    }
}
