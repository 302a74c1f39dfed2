using System.Diagnostics;
using System.Globalization;

namespace Containers.Testing;

/// <summary>Stops a process as a service manager does: SIGTERM, a grace period, then SIGKILL.</summary>
public static class GracefulStop
{
    /// <summary>
    /// Sends SIGTERM to <paramref name="process"/> and waits up to <paramref name="grace"/> for it to exit; kills it
    /// (with its descendants when <paramref name="killTree"/>) if it did not.
    /// </summary>
    /// <returns>Whether it exited within the grace period.</returns>
    public static async Task<bool> StopAsync(Process process, TimeSpan grace, bool killTree = false)
    {
        ArgumentNullException.ThrowIfNull(process);
        _ = await Tool.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        using CancellationTokenSource wait = new(grace);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: killTree);
            await process.WaitForExitAsync();
            return false;
        }
    }
}
