using System.Runtime.InteropServices;
using System.Text;
using Containers.Linux;
using Containers.Linux.Runtime;
using Containers.Linux.Supervision;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.Commands;
using Containers.Runc.State;

namespace Containers.Runc.Shim;

/// <summary>
/// The shim's in-process <see cref="IRuntimeDriver"/>: each runtime verb runs the same code as
/// <c>runcs --root R verb …</c> (<see cref="Program.Dispatch"/>), but on the shim's own (only) managed
/// thread, so no runtime process is started and the container's init is cloned by the shim itself
/// (DESIGN.md §2 point 5). The state is the CLI's, under the same root: <c>runcs --root R state|kill|list</c>
/// from outside sees and drives these containers.
/// As a runtime binary's would, descriptors 0–2 are the verb's stdio while it runs (the shim is
/// single-threaded, so nothing else of it writes to them meanwhile): a cloned init inherits them, and
/// the verb's error message goes to the given stderr.
/// </summary>
internal sealed class InProcessRuntime(string root) : IRuntimeDriver
{
    // Verbs that need nothing but the calling thread: foreground run/exec proxy a terminal with a
    // thread, ps in table format and events start processes or timers — those are for the CLI only
    // (run and exec are allowed with --detach).
    private static readonly HashSet<string> InProcessVerbs = new(StringComparer.Ordinal)
    {
        "create", "run", "start", "kill", "delete", "exec", "pause", "resume", "ps", "update", "state",
    };

    // The shim's loop thread, where the driver is made (at create): DESIGN.md §2 allows clones only from
    // the spawner's one managed thread, so a verb on any other thread is refused, not run.
    private readonly int _thread = Environment.CurrentManagedThreadId;

    /// <summary>
    /// The namespaces a shim made ahead (<see cref="PrepareNext"/>), which its next create joins instead of making them in
    /// the clone (<see cref="ContainerSpawner.Reserve"/>); <see langword="null"/> in runcs the CLI and in a shim started on a
    /// create's path until that task is deleted: its first container's namespaces would be made on that path either way.
    /// </summary>
    internal static NamespaceReserve? Namespaces { get; private set; }

    /// <inheritdoc/>
    public string Runtime { get; } = Environment.ProcessPath ?? "runcs";

    /// <inheritdoc/>
    public bool InProcess => true;

    /// <inheritdoc/>
    public (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
    {
        // memfds, not pipes: a verb's output could exceed a pipe's buffer, and nobody else would drain it.
        using SafeFdHandle stdout = new(Interop.ThrowOnError(Interop.MemfdCreate("runcs-stdout", Interop.MFD_CLOEXEC), "memfd_create"));
        using SafeFdHandle stderr = new(Interop.ThrowOnError(Interop.MemfdCreate("runcs-stderr", Interop.MFD_CLOEXEC), "memfd_create"));
        int exitCode = RunWithStdio([-1, stdout.Fd, stderr.Fd], arguments);
        return (exitCode, ReadAll(stdout.Fd), ReadAll(stderr.Fd));
    }

    /// <inheritdoc/>
    public int RunWithStdio(ReadOnlySpan<int> stdio, params string[] arguments)
    {
        if (Environment.CurrentManagedThreadId != _thread)
        {
            throw new InvalidOperationException("the in-process runtime runs only on the shim's loop thread");
        }

        using SafeFdHandle devNull = new(Interop.ThrowOnError(Interop.Open("/dev/null", Interop.O_RDWR | Interop.O_CLOEXEC, 0), "open", "/dev/null"));
        Span<int> saved = stackalloc int[3];
        saved.Fill(-1);
        try
        {
            for (int fd = 0; fd < 3; fd++)
            {
                saved[fd] = Interop.ThrowOnError(Interop.Fcntl(fd, Interop.F_DUPFD_CLOEXEC, 3), "fcntl", $"F_DUPFD_CLOEXEC {fd}");
            }

            for (int fd = 0; fd < 3; fd++)
            {
                int source = fd < stdio.Length && stdio[fd] >= 0 ? stdio[fd] : devNull.Fd;
                if (source != fd)
                {
                    _ = Interop.ThrowOnError(Interop.Dup3(source, fd, 0), "dup3", $"fd {fd}");
                }
            }

            PidFile.StartCapture();
            return Execute(arguments);
        }
        finally
        {
            PidFile.StopCapture();
            for (int fd = 0; fd < 3; fd++)
            {
                if (saved[fd] >= 0)
                {
                    _ = Interop.Dup3(saved[fd], fd, 0);
                    _ = Interop.Close(saved[fd]);
                }
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The engine's <c>--pid-file</c> write is kept in memory while a verb runs here (<see cref="PidFile"/>): the shim
    /// is that file's only reader, so no temp file, rename and later unlink are made in its task directory.
    /// </remarks>
    public int? TakeReportedPid(string pidFile) => PidFile.TakeCaptured(pidFile);

    /// <summary>
    /// The engine's part of a warm shim's preparation (<see cref="ShimServer.Serve"/>): fresh network and IPC namespaces
    /// (<see cref="Namespaces"/>), the cgroup layout (read from
    /// mountinfo once per process), and the JSON contracts of what the engine still reads and writes with the serializer
    /// in a shim — an exec's process file, an update's resources, the <c>state</c> verb's answer. state.json needs none:
    /// <see cref="ContainerRecordReader"/> and <see cref="ContainerRecordWriter"/> read and write it by hand.
    /// </summary>
    public static void WarmUp()
    {
        PrepareNext();
        _ = ContainerCgroups.Layout;
        _ = JsonContractWarmUp.Configure(RuncsJsonContext.Default, typeof(ProcessSpec), typeof(LinuxResources), typeof(StateView));
    }

    /// <summary>
    /// A network and an IPC namespace for the next container this shim creates (<see cref="Namespaces"/>, which
    /// <see cref="ContainerLauncher"/> spawns with): in a spare's warm-up, and after each delete in a shim that stays for
    /// another task (a warm or a group's shim). Makes only what the reserve lacks: a shim whose tasks run under a runtime
    /// binary keeps one unused pair.
    /// </summary>
    public static void PrepareNext()
    {
        Namespaces ??= new NamespaceReserve();
        _ = Namespaces.Fill(NamespaceReserve.Supported);
    }

    private int Execute(string[] arguments)
    {
        try
        {
            CommandLine line = CommandLine.Parse(["--root", root, .. arguments], Program.FlagsOf);
            bool allowed = InProcessVerbs.Contains(line.Verb)
                && (line.Verb != "ps" || (line.Option("--format") ?? line.Option("-f")) == "json")
                && (line.Verb is not ("exec" or "run") || line.Switch("--detach"));
            if (!allowed)
            {
                throw new UsageException($"\"{string.Join(' ', arguments)}\" is not run inside the shim (it needs threads or a terminal)");
            }

            return Program.Dispatch(line);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // What runcs's Main prints and returns; the shim reads it from stderr as it would a binary's.
            // Wider than Main's catch: a runtime binary that crashes ends only its own process, and a
            // verb failing here must not end a shim that other containers (a shared shim) depend on.
            Output.Error($"runcs: {ex.Message}");
            return 1;
        }
    }

    private static unsafe string ReadAll(int fd)
    {
        _ = Interop.Lseek(fd, 0, 0 /* SEEK_SET */);
        MemoryStream text = new();
        byte* buffer = stackalloc byte[4096];
        nint n;
        while ((n = Interop.Read(fd, buffer, 4096)) > 0 || (n < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR))
        {
            if (n > 0)
            {
                text.Write(new ReadOnlySpan<byte>(buffer, (int)n));
            }
        }

        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}
