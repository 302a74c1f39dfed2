using Containers.Linux;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Starts a shim from the host. DESIGN.md §2: the host never forks; this is its one way to start
/// the shim — posix_spawn of <c>runcs shim --dir D</c>, the launcher (glibc's vfork-style child runs
/// no managed code), reaped through a pidfd with waitid(P_PIDFD). The launcher spawns the daemon in
/// a new session and exits once the daemon serves, so the daemon is never the host's child.
/// </summary>
internal static class ShimLauncher
{
    /// <summary>
    /// Starts a shim serving <paramref name="directory"/> and returns when its socket accepts calls. With
    /// <paramref name="idleExitMs"/> ≥ 0 the shim outlives its last task and exits after that long idle.
    /// </summary>
    /// <exception cref="ShimException">The launcher failed (<see cref="ShimFailure.LaunchFailed"/>, with shim.log's text).</exception>
    public static async ValueTask StartAsync(string shimPath, string directory, int idleExitMs, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string logPath = ShimPaths.Log(directory);
        int exitCode;
        using (Microsoft.Win32.SafeHandles.SafeFileHandle log = File.OpenHandle(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            string[] argv = idleExitMs >= 0
                ? [shimPath, "shim", "--dir", directory, "--idle-exit-ms", idleExitMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]
                : [shimPath, "shim", "--dir", directory];
            exitCode = await RunAsync(shimPath, argv, (int)log.DangerousGetHandle()).ConfigureAwait(false);
        }

        if (exitCode != 0)
        {
            string log = File.Exists(logPath) ? (await File.ReadAllTextAsync(logPath, cancellationToken).ConfigureAwait(false)).Trim() : string.Empty;
            throw new ShimException(ShimFailure.LaunchFailed, $"the shim launcher exited with status {exitCode}: {log}");
        }
    }

    /// <summary>
    /// Runs <c>&lt;runtime&gt; --root R delete --force ID</c> for the task of a shim that died: it kills
    /// a container left running without its shim and removes its runtime state and cgroups.
    /// </summary>
    /// <returns>The runtime's exit code.</returns>
    public static ValueTask<int> ForceDeleteAsync(string runtime, string runtimeRoot, string containerId)
        => RunAsync(runtime, [runtime, "--root", runtimeRoot, "delete", "--force", containerId], -1);

    /// <summary>posix_spawn, then waitid(P_PIDFD) on a pool thread (the children here live for milliseconds).</summary>
    private static async ValueTask<int> RunAsync(string path, string[] argv, int stderr)
    {
        int pid;
        try
        {
            pid = ProcessSpawner.Spawn(path, argv, [-1, -1, stderr]);
        }
        catch (LinuxErrorException ex)
        {
            throw new ShimException(ShimFailure.LaunchFailed, $"cannot start {path}: {ex.Message}", ex);
        }

        // Nobody else reaps this child (.NET's SIGCHLD handling only reaps Process-class children),
        // so the pid is still ours to open.
        int pidfd = global::Interop.PidfdOpen(pid);
        if (pidfd < 0)
        {
            return await Task.Run(() => global::Interop.ExitCodeOf(global::Interop.WaitForChild(pid)), CancellationToken.None).ConfigureAwait(false);
        }

        using SafeFdHandle handle = new(pidfd);
        return await Task.Run(() => global::Interop.WaitPidfd(handle.Fd), CancellationToken.None).ConfigureAwait(false);
    }
}
