using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Warm shims (<see cref="ShimTaskServiceOptions.WarmShims"/> &gt; 0): a task that would get a shim of its
/// own gets an idle one instead, started with <c>--idle-exit-ms</c> in <c>&lt;state&gt;/shims/p&lt;random&gt;</c>;
/// the task's usual shim path links there, as a grouped task's does, so recovery after a restart finds it
/// the same way. Such a shim serves one task at a time: after that task's delete it goes back to the pool
/// (or is shut down when the pool is full) instead of exiting, and it exits by itself after
/// <see cref="ShimTaskServiceOptions.WarmShimIdleTimeout"/> without a task. It is started with this process's
/// pid (<c>--host-pid</c>): once this process has ended, it exits as soon as it has no task (no other host
/// could give it one), instead of after the timeout.
/// </summary>
public sealed partial class ShimTaskService
{
    private readonly Lock _warmLock = new();
    private readonly Stack<(string Directory, long IdleSince)> _warm = new();

    /// <summary>Whether a shim directory is a warm shim's (<c>p</c> + hex; a task's own is hex only, a group's starts with <c>g</c>).</summary>
    private static bool IsWarmDirectory(string directory) => Path.GetFileName(directory).StartsWith('p');

    private int WarmIdleMilliseconds => (int)Math.Clamp(_options.WarmShimIdleTimeout.TotalMilliseconds, 1, int.MaxValue);

    /// <summary>
    /// How much of its idle time an idle shim (warm or spare) must have left to be handed a task: one this close to its
    /// idle exit may be gone by the time the create reaches it.
    /// </summary>
    private long HandOutMarginMilliseconds => Math.Min(1000, WarmIdleMilliseconds / 2);

    /// <summary>
    /// Creates the task in <paramref name="shim"/> (an idle warm shim or the spare, linked from <paramref name="link"/>),
    /// or in a new shim of the same kind when there is none or it cannot be reached.
    /// </summary>
    private async ValueTask<ShimResponse> CreateInWarmShimAsync(string link, string? shim, ShimRequest create, CancellationToken cancellationToken)
    {
        // Without a pool to go back to, the shim exits with its task, as a shim of its own does.
        create.ExitWithTask = _options.WarmShims == 0;
        if (shim is not null)
        {
            _ = File.CreateSymbolicLink(link, Path.GetFileName(shim));
            try
            {
                return await new ShimClient(shim).CallAsync(create, cancellationToken).ConfigureAwait(false);
            }
            catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable && ex.InnerException is ShimNotReachedException)
            {
                // It idled out after all (the request never reached it): a new one takes the task.
                File.Delete(link);
            }
            catch
            {
                File.Delete(link);
                await ShutdownShimAsync(shim).ConfigureAwait(false);
                throw;
            }
        }

        shim = NewWarmShimDirectory();
        await ShimLauncher.StartAsync(_options.ShimPath, shim, WarmIdleMilliseconds, cancellationToken, hostPid: Environment.ProcessId).ConfigureAwait(false);
        // The link first: a host that dies right after the create still finds the task.
        _ = File.CreateSymbolicLink(link, Path.GetFileName(shim));
        try
        {
            return await new ShimClient(shim).CallAsync(create, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(link);
            await ShutdownShimAsync(shim).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new directory name for a warm or spare shim: <c>&lt;state&gt;/shims/p&lt;24 random hex&gt;</c>.</summary>
    private string NewWarmShimDirectory()
        => Path.Combine(_options.StateDirectory, "shims", "p" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)));

    /// <summary>An idle warm shim with time left before it idles out, or <see langword="null"/>.</summary>
    private string? TakeWarmShim()
    {
        long margin = HandOutMarginMilliseconds;
        lock (_warmLock)
        {
            while (_warm.TryPop(out (string Directory, long IdleSince) entry))
            {
                if (Environment.TickCount64 - entry.IdleSince < WarmIdleMilliseconds - margin && Directory.Exists(entry.Directory))
                {
                    return entry.Directory;
                }
            }
        }

        return null;
    }

    /// <summary>After the delete of a warm shim's task: back to the pool, or shut down when the pool is full.</summary>
    private async ValueTask ReturnWarmShimAsync(string shim)
    {
        lock (_warmLock)
        {
            if (_warm.Count < _options.WarmShims && !_closing.IsCancellationRequested)
            {
                _warm.Push((shim, Environment.TickCount64));
                return;
            }
        }

        await ShutdownShimAsync(shim).ConfigureAwait(false);
    }

    /// <summary>Asks a shim without tasks to remove its directory and exit (one with tasks refuses; one gone is fine).</summary>
    private static async ValueTask ShutdownShimAsync(string shim)
    {
        try
        {
            _ = await new ShimClient(shim).CallAsync(new ShimRequest { Op = ShimOps.Shutdown }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ContainersException)
        {
            // Other tasks (FailedPrecondition), or gone.
        }
    }

    /// <summary>Shuts the idle warm shims and the spare down (at dispose: nothing idle outlives the service).</summary>
    private async ValueTask ShutdownWarmShimsAsync()
    {
        await ShutdownSpareShimAsync().ConfigureAwait(false);
        List<string> idle = [];
        lock (_warmLock)
        {
            while (_warm.TryPop(out (string Directory, long IdleSince) entry))
            {
                idle.Add(entry.Directory);
            }
        }

        foreach (string shim in idle)
        {
            await ShutdownShimAsync(shim).ConfigureAwait(false);
        }
    }

    /// <summary>How many warm shims are idle in the pool now (for tests and diagnostics).</summary>
    internal int IdleWarmShims
    {
        get
        {
            lock (_warmLock)
            {
                return _warm.Count;
            }
        }
    }
}
