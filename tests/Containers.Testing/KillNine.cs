using System.Diagnostics;

namespace Containers.Testing;

/// <summary>Crash tests' common step: run a helper that prints one line per finished round, then SIGKILL it mid-round.</summary>
public static class KillNine
{
    /// <summary>
    /// Starts <c>dotnet <paramref name="helperDll"/> <paramref name="arguments"/></c>, waits for
    /// <paramref name="rounds"/> lines, lets it run into the next round for a random 0–<paramref name="maxExtraMilliseconds"/> ms,
    /// then kills it with SIGKILL and waits for it to be gone.
    /// </summary>
    public static async Task RunThenKillAsync(string helperDll, IEnumerable<string> arguments, int rounds, int maxExtraMilliseconds = 20)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", [helperDll, .. arguments]) { RedirectStandardOutput = true })!;
        try
        {
            // A bound on waiting, not on speed: a helper that stops printing fails the test instead of hanging it.
            using var stuck = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            for (int seen = 0; seen < rounds; seen++)
            {
                string? line = await process.StandardOutput.ReadLineAsync(stuck.Token);
                if (line is null)
                {
                    throw new InvalidOperationException($"{Path.GetFileName(helperDll)} exited early, after {seen} rounds");
                }
            }

            await Task.Delay(Random.Shared.Next(0, maxExtraMilliseconds));
        }
        finally
        {
            // Process.Kill sends SIGKILL.
            process.Kill();
            await process.WaitForExitAsync();
        }
    }
}
