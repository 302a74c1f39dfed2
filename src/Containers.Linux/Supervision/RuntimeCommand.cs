using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Supervision;

/// <summary>
/// Runs one command of a runc-compatible runtime binary (<c>&lt;runtime&gt; --root R verb …</c>) from
/// the shim's loop and waits for it: the shim is single-threaded, so a runtime call is a synchronous
/// step of the loop (containerd's runc shim serialises them per container too). The CLI
/// <see cref="IRuntimeDriver"/>: used for runc, crun, any named binary, and runcs when named explicitly.
/// </summary>
internal sealed class RuntimeCommand(string runtime, string root) : IRuntimeDriver
{
    /// <summary>The runtime binary.</summary>
    public string Runtime { get; } = runtime;

    /// <inheritdoc/>
    public bool InProcess => false;

    /// <summary>Runs the runtime with stdin on /dev/null and both outputs captured.</summary>
    /// <returns>The exit code and the two outputs.</returns>
    /// <exception cref="LinuxErrorException">The runtime could not be started.</exception>
    public unsafe (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments)
    {
        (SafeFdHandle outRead, SafeFdHandle outWrite) = Interop.CreatePipe();
        (SafeFdHandle errRead, SafeFdHandle errWrite) = Interop.CreatePipe();
        int pid;
        using (outWrite)
        using (errWrite)
        {
            pid = ProcessSpawner.Spawn(Runtime, Argv(arguments), [-1, outWrite.Fd, errWrite.Fd]);
        }

        using (outRead)
        using (errRead)
        {
            MemoryStream stdout = new();
            MemoryStream stderr = new();
            Drain(outRead.Fd, stdout, errRead.Fd, stderr);
            int status = Interop.WaitForChild(pid);
            return (Interop.ExitCodeOf(status), Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()));
        }
    }

    /// <summary>Runs the runtime with the given stdio (create and exec: the container inherits them) and waits for it.</summary>
    /// <returns>The runtime's exit code.</returns>
    public int RunWithStdio(ReadOnlySpan<int> stdio, params string[] arguments)
        => Interop.ExitCodeOf(Interop.WaitForChild(ProcessSpawner.Spawn(Runtime, Argv(arguments), stdio)));

    /// <inheritdoc/>
    /// <remarks>A runtime binary writes its pid file: always <see langword="null"/>.</remarks>
    public int? TakeReportedPid(string pidFile) => null;

    private List<string> Argv(string[] arguments)
    {
        List<string> argv = [Runtime, "--root", root];
        argv.AddRange(arguments);
        return argv;
    }

    private static unsafe void Drain(int first, MemoryStream firstSink, int second, MemoryStream secondSink)
    {
        Interop.PollFd* fds = stackalloc Interop.PollFd[2];
        byte[] buffer = new byte[16384];
        bool firstOpen = true;
        bool secondOpen = true;
        while (firstOpen || secondOpen)
        {
            fds[0] = new Interop.PollFd { Fd = firstOpen ? first : -1, Events = (short)Interop.POLLIN };
            fds[1] = new Interop.PollFd { Fd = secondOpen ? second : -1, Events = (short)Interop.POLLIN };
            if (Interop.Poll(fds, 2, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == Interop.EINTR)
                {
                    continue;
                }

                throw new LinuxErrorException("poll", Marshal.GetLastPInvokeError());
            }

            if (fds[0].Revents != 0)
            {
                firstOpen = ReadSome(first, firstSink, buffer);
            }

            if (fds[1].Revents != 0)
            {
                secondOpen = ReadSome(second, secondSink, buffer);
            }
        }
    }

    private static unsafe bool ReadSome(int fd, MemoryStream sink, byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            nint n = Interop.Read(fd, start, buffer.Length);
            if (n > 0)
            {
                sink.Write(buffer, 0, (int)n);
                return true;
            }

            return n < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR;
        }
    }
}
