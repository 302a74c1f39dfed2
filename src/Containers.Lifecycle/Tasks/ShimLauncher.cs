using Containers.Linux;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Starts a shim from the host. DESIGN.md §2: the host never forks; this is its one way to start
/// the shim — posix_spawn of the daemon, <c>runcs shim --serve --dir D --ready-fd 3</c>, in a session of its own
/// (glibc's vfork-style child runs no managed code). The daemon says <c>ok</c> on the pipe at fd 3 once it serves and
/// closes it; <see cref="ShimReaper"/> reaps it when it exits. Until session 20 the host spawned <c>runcs shim --dir
/// D</c>, a launcher that spawned the daemon and exited once it served, so that the daemon was never the host's
/// child: one more process start (~5 ms of CPU here, much of it CPUID exits of this VM in the dynamic loader's and
/// the runtime's CPU feature checks) on the path of every shim start.
/// </summary>
internal static class ShimLauncher
{
    /// <summary>
    /// Starts a shim serving <paramref name="directory"/> and returns when its socket accepts calls. With
    /// <paramref name="idleExitMs"/> ≥ 0 the shim outlives its last task and exits after that long idle. With
    /// <paramref name="warmUp"/> (a shim started ahead of its task) it prepares for its first request once it serves.
    /// With <paramref name="hostPid"/> (this process's, for a warm or spare shim: no other host could give it a task) and
    /// an idle exit, it exits without a task as soon as that process has ended, instead of after its idle time.
    /// </summary>
    /// <exception cref="ShimException">The shim could not be started or exited before it served (<see cref="ShimFailure.LaunchFailed"/>, with shim.log's text).</exception>
    public static async ValueTask StartAsync(string shimPath, string directory, int idleExitMs, CancellationToken cancellationToken, bool warmUp = false, int hostPid = -1)
    {
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Client.TopDirectories.MarkOnce(Path.GetDirectoryName(directory)!);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string logPath = ShimPaths.Log(directory);
        List<string> argv = ShimArguments.Serve(shimPath, directory, idleExitMs, warmUp, hostPid);
        (SafeFdHandle ready, SafeFdHandle readyWrite) = global::Interop.CreatePipe();
        string answer;
        using (ready)
        {
            using (readyWrite)
            using (Microsoft.Win32.SafeHandles.SafeFileHandle log = File.OpenHandle(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                int pid;
                try
                {
                    // Both ends are close-on-exec: only this daemon gets the write end (as its fd 3), so the read below
                    // ends when the daemon has answered or died.
                    pid = ProcessSpawner.Spawn(shimPath, argv, [-1, -1, (int)log.DangerousGetHandle(), readyWrite.Fd], newSession: true);
                }
                catch (LinuxErrorException ex)
                {
                    throw new ShimException(ShimFailure.LaunchFailed, $"cannot start {shimPath}: {ex.Message}", ex);
                }

                ShimReaper.Adopt(pid);
            }

            answer = await Task.Run(() =>
            {
                byte[] buffer = new byte[16];
                int length = global::Interop.ReadFully(ready.Fd, buffer);
                return System.Text.Encoding.ASCII.GetString(buffer, 0, length);
            }, CancellationToken.None).ConfigureAwait(false);
        }

        if (answer != "ok\n")
        {
            string log = File.Exists(logPath) ? (await File.ReadAllTextAsync(logPath, cancellationToken).ConfigureAwait(false)).Trim() : string.Empty;
            throw new ShimException(ShimFailure.LaunchFailed, $"the shim exited before it served: {log}");
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
