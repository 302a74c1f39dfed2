using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// The spare shim (<see cref="ShimTaskServiceOptions.SpareShim"/>): once a task has taken a shim of its own, the next
/// one is started in the background (<see cref="ShimTaskServiceOptions.SpareShimDelay"/> later, so that it does not share
/// the processor with a short task's run), so the next task's create skips the shim's start (a process and its socket) but
/// still gets a shim that served nothing before and exits with it (the create asks for that with
/// <see cref="ShimRequest.ExitWithTask"/>). The spare lives in <c>&lt;state&gt;/shims/p&lt;random&gt;</c> and is
/// linked from the task's shim path as a warm shim is. It is started with the warm shims' idle exit and this process's
/// pid (<c>--host-pid</c>), so once this process has ended it exits as soon as it has no task (at once, for a spare);
/// while this service lives, a timer calls it every third of its idle time so that it does not idle out. Disposal
/// shuts it down.
/// </summary>
public sealed partial class ShimTaskService
{
    /// <summary>The spare shim being started or ready (its directory; <see langword="null"/> when its start failed), or none.</summary>
    private Task<string?>? _spare;

    /// <summary>The directory of <see cref="_spare"/> (known before its start ends).</summary>
    private string? _spareDirectory;

    /// <summary>When the spare last answered (or finished starting): a spare quiet for nearly its idle time may be gone.</summary>
    private long _spareTouched;

    private Timer? _spareKeeper;

    /// <summary>Starts the next spare once <see cref="ShimTaskServiceOptions.SpareShimDelay"/> has passed without a take (one-shot, re-armed).</summary>
    private Timer? _spareDelay;

    /// <summary>
    /// The spare shim, once started (or <see langword="null"/>: none is enabled, its start failed, or it may have idled
    /// out); another one starts in the background either way.
    /// </summary>
    private async ValueTask<string?> TakeSpareShimAsync()
    {
        if (!_options.SpareShim)
        {
            return null;
        }

        Task<string?>? spare;
        lock (_warmLock)
        {
            spare = _spare;
            _spare = null;
            _spareDirectory = null;
        }

        ScheduleSpareShim();
        if (spare is null)
        {
            return null;
        }

        // Not cancellable: the start is under way and short, and a spare left behind would wait out its idle time.
        string? shim = await spare.ConfigureAwait(false);
        return shim is not null && Environment.TickCount64 - Volatile.Read(ref _spareTouched) < WarmIdleMilliseconds - HandOutMarginMilliseconds ? shim : null;
    }

    /// <summary>
    /// Starts the next spare shim <see cref="ShimTaskServiceOptions.SpareShimDelay"/> from now (at once when that is
    /// zero); a start already pending is pushed back, so in a burst of creates it comes after the burst.
    /// </summary>
    private void ScheduleSpareShim()
    {
        int delay = (int)_options.SpareShimDelay.TotalMilliseconds;
        if (delay <= 0)
        {
            StartSpareShim();
            return;
        }

        lock (_warmLock)
        {
            if (_spare is not null || _closing.IsCancellationRequested)
            {
                return;
            }

            _spareDelay ??= new Timer(static state => ((ShimTaskService)state!).StartSpareShim(), this, Timeout.Infinite, Timeout.Infinite);
            _ = _spareDelay.Change(delay, Timeout.Infinite);
        }
    }

    /// <summary>
    /// A create in a shim of its own is on its way (<c>ContainerClient.RunAsync</c> has begun): with no spare started or
    /// starting — in a burst, where each take pushes the next spare's start back — start one now, so that its start
    /// overlaps the container's creation on the host instead of following it, and the create takes it. Nothing when a
    /// warm shim is idle (the create takes that) or a spare is there already.
    /// </summary>
    internal void PrestartSpareShim()
    {
        lock (_warmLock)
        {
            if (!_options.SpareShim || _spare is not null || _closing.IsCancellationRequested || _warm.Count > 0)
            {
                return;
            }

            _ = _spareDelay?.Change(Timeout.Infinite, Timeout.Infinite);
        }

        StartSpareShim(warmUp: false);
    }

    /// <summary>Starts the next spare shim in the background, unless there is one, the option is off, or the service is closing.</summary>
    private void StartSpareShim(bool warmUp = true)
    {
        lock (_warmLock)
        {
            if (!_options.SpareShim || _spare is not null || _closing.IsCancellationRequested)
            {
                return;
            }

            string shim = NewWarmShimDirectory();
            _spareDirectory = shim;
            _spare = Task.Run(() => StartSpareCoreAsync(shim, warmUp));
            int period = Math.Max(1, WarmIdleMilliseconds / 3);
            _spareKeeper ??= new Timer(static state => _ = ((ShimTaskService)state!).KeepSpareAsync(), this, period, period);
        }
    }

    private async Task<string?> StartSpareCoreAsync(string shim, bool warmUp)
    {
        try
        {
            await ShimLauncher.StartAsync(_options.ShimPath, shim, WarmIdleMilliseconds, CancellationToken.None, warmUp, hostPid: Environment.ProcessId).ConfigureAwait(false);
            Volatile.Write(ref _spareTouched, Environment.TickCount64);
            return shim;
        }
        catch (ContainersException)
        {
            // The next create starts a shim itself, and reports why that fails if it does; the keeper tries again
            // later. What the failed start left (its directory and shim.log) goes, so retries leave nothing behind.
            TryDeleteDirectory(shim);
            return null;
        }
    }

    /// <summary>The timer's call: a request restarts the spare's idle time; a spare that is gone (or never started) is replaced.</summary>
    private async Task KeepSpareAsync()
    {
        Task<string?>? spare;
        lock (_warmLock)
        {
            spare = _spare;
        }

        if (spare is null || !spare.IsCompleted)
        {
            return;
        }

        bool alive = false;
        if (await spare.ConfigureAwait(false) is { } shim)
        {
            try
            {
                _ = await new ShimClient(shim).CallAsync(new ShimRequest { Op = ShimOps.List }, _closing.Token).ConfigureAwait(false);
                alive = true;
            }
            catch (ShimException ex) when (ex.InnerException is ShimNotReachedException)
            {
                // Gone: killed, or it idled out while this process was stopped. A spare never had a task or a link, so
                // what it left (a killed shim removes nothing) goes with it.
                TryDeleteDirectory(shim);
            }
            catch (Exception ex) when (ex is ContainersException or OperationCanceledException)
            {
                // It answered with an error, or the service is closing: replaced below; an idle exit ends it.
            }
        }

        lock (_warmLock)
        {
            if (_spare != spare)
            {
                return; // taken meanwhile
            }

            if (alive)
            {
                Volatile.Write(ref _spareTouched, Environment.TickCount64);
                return;
            }

            _spare = null;
            _spareDirectory = null;
        }

        StartSpareShim();
    }

    /// <summary>The spare shim's directory while there is one (started or starting), for tests and diagnostics.</summary>
    internal string? SpareShimDirectory
    {
        get
        {
            lock (_warmLock)
            {
                return _spareDirectory;
            }
        }
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed meanwhile (by its own idle exit), or unremovable: nothing refers to it.
        }
    }

    /// <summary>Stops the timer and shuts the spare shim down (at dispose).</summary>
    private async ValueTask ShutdownSpareShimAsync()
    {
        Task<string?>? spare;
        lock (_warmLock)
        {
            spare = _spare;
            _spare = null;
            _spareDirectory = null;
        }

        if (_spareDelay is { } delay)
        {
            await delay.DisposeAsync().ConfigureAwait(false);
        }

        if (_spareKeeper is { } keeper)
        {
            await keeper.DisposeAsync().ConfigureAwait(false);
        }

        if (spare is not null && await spare.ConfigureAwait(false) is { } shim)
        {
            await ShutdownShimAsync(shim).ConfigureAwait(false);
        }
    }
}
