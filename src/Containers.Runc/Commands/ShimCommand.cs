using System.Globalization;
using System.Text;
using Containers.Linux;
using Containers.Linux.Supervision;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs shim --dir D [--idle-exit-ms N] [--warm-up] [--host-pid P]</c> (hidden): the shim host. Run by a host application (through
/// posix_spawn), it is the short-lived launcher: it spawns the daemon — itself with
/// <c>--serve</c>, in a new session (setsid), stderr to D/shim.log — waits until the daemon says it
/// serves, and exits, so the host reaps only the launcher and the daemon re-parents away from it.
/// The daemon runs the tasks that name no runtime with runcs's engine in-process
/// (<see cref="Shim.InProcessRuntime"/>); a named binary is driven through its command line. With
/// <c>--idle-exit-ms N</c> the daemon outlives its last task and exits after N ms with no task and no call; with
/// <c>--warm-up</c> (a shim started ahead of its task) it prepares, once it serves, what its first request would
/// otherwise prepare; with <c>--host-pid P</c> and an idle exit it exits without a task as soon as process P has ended
/// (<see cref="ShimServer.Serve"/>).
/// </summary>
internal static class ShimCommand
{
    /// <summary>Runs the launcher, or the daemon with <c>--serve</c>.</summary>
    /// <exception cref="UsageException">No absolute <c>--dir</c>.</exception>
    public static int Execute(CommandLine line)
    {
        string directory = line.Option("--dir") ?? throw new UsageException("shim: --dir is required");
        if (!Path.IsPathFullyQualified(directory))
        {
            throw new UsageException($"shim: --dir \"{directory}\" is not absolute");
        }

        string executable = Environment.ProcessPath ?? throw new UsageException("shim: the executable's path is unknown");
        if (line.Switch("--serve"))
        {
            // The shim's single-threaded loop must never wait in a start for a container's READY: the sd_notify proxy of
            // create/run/start is for a runtime run by a systemd service, not for containers a shim supervises.
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", null);
            ShimServer.Serve(directory, executable, line.IntOption("--ready-fd", -1), root => new Shim.InProcessRuntime(root), line.IntOption("--idle-exit-ms", -1),
                line.Switch("--warm-up") ? Shim.InProcessRuntime.WarmUp : null, line.IntOption("--host-pid", -1), Shim.InProcessRuntime.PrepareNext);
            return 0;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string logPath = ShimPaths.Log(directory);
        using SafeFdHandle log = new(Interop.ThrowOnError(
            Interop.Open(logPath, Interop.O_WRONLY | Interop.O_CREAT | 0x400 /* O_APPEND */ | Interop.O_CLOEXEC, 0x180), "open", logPath));
        (SafeFdHandle ready, SafeFdHandle readyWrite) = Interop.CreatePipe();
        int pid;
        using (readyWrite)
        {
            List<string> argv = ShimArguments.Serve(executable, directory, line.IntOption("--idle-exit-ms", -1), line.Switch("--warm-up"), line.IntOption("--host-pid", -1));
            pid = ProcessSpawner.Spawn(executable, argv, [-1, -1, log.Fd, readyWrite.Fd], newSession: true);
        }

        byte[] answer = new byte[16];
        int length;
        using (ready)
        {
            length = Interop.ReadFully(ready.Fd, answer);
        }

        if (Encoding.ASCII.GetString(answer, 0, length) == "ok\n")
        {
            return 0;
        }

        int code = Interop.ExitCodeOf(Interop.WaitForChild(pid));
        string tail = File.Exists(logPath) ? File.ReadAllText(logPath).Trim() : string.Empty;
        Output.Error($"runcs shim: the shim exited with status {code.ToString(CultureInfo.InvariantCulture)} before serving: {tail}");
        return 1;
    }
}
