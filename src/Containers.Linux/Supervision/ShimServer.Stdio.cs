using System.Runtime.InteropServices;
using System.Text.Json;

namespace Containers.Linux.Supervision;

/// <summary>
/// Stdio beyond output pumps: the stdin copy (FIFO → process, ended by closeIO), terminals (the pty
/// master received on a console socket, pumped both ways, resized with TIOCSWINSZ).
/// </summary>
internal sealed partial class ShimServer
{
    /// <summary>
    /// Opens the stdin side of a process before the runtime runs: a pipe whose read end the runtime
    /// hands to the process (returned; the caller closes it after the runtime ran), the write end fed
    /// from the FIFO by a <see cref="StdinPump"/>. Null when the process has no stdin or a terminal.
    /// </summary>
    private static SafeFdHandle? OpenStdin(ShimProcess process)
    {
        if (process.IO.Stdin is null || process.Terminal)
        {
            return null;
        }

        (SafeFdHandle read, SafeFdHandle write) = Interop.CreatePipe();
        try
        {
            process.StdinPump = StdinPump.Open(process.IO.Stdin, write);
        }
        catch
        {
            read.Dispose();
            throw;
        }

        return read;
    }

    /// <summary>A listening console socket for a runtime call that makes a terminal process, or null.</summary>
    private SafeFdHandle? OpenConsoleSocket(ShimProcess process, ref string[] arguments)
    {
        if (!process.Terminal)
        {
            return null;
        }

        string path = ShimPaths.ConsoleSocket(_directory);
        File.Delete(path);
        SafeFdHandle listener = Interop.ListenUnix(path);
        // The runtime has sent the master before its create/exec -d returns; accepting then must not
        // block the loop if it never connected.
        Interop.SetNonBlocking(listener.Fd, nonBlocking: true);
        // --console-socket goes before the container id, the last argument.
        arguments = [.. arguments[..^1], "--console-socket", path, arguments[^1]];
        return listener;
    }

    /// <summary>After the runtime succeeded: takes the pty master it sent and wires the terminal's pumps.</summary>
    private void TakeConsole(ShimProcess process, SafeFdHandle listener)
    {
        SafeFdHandle master = Interop.ReceiveFd(listener);
        Interop.SetNonBlocking(master.Fd, nonBlocking: true);
        process.Console = master;
        process.Pumps.Add(StdioPump.FromSource(Interop.Duplicate(master.Fd), process.IO.Stdout));
        if (process.IO.Stdin is not null)
        {
            process.StdinPump = StdinPump.Open(process.IO.Stdin, Interop.Duplicate(master.Fd));
        }
    }

    /// <summary>Starts copying the stdin FIFO into the process.</summary>
    private void StartStdin(ShimProcess process)
    {
        if (process.StdinPump is StdinPump pump)
        {
            Watch(pump.Fifo.Fd, _ => OnStdinReadable(process));
        }
    }

    private void OnStdinReadable(ShimProcess process)
    {
        if (process.StdinPump is not StdinPump pump)
        {
            return;
        }

        switch (pump.Forward())
        {
            case StdinPumpResult.Blocked:
                WaitWritable(process, pump);
                break;
            case StdinPumpResult.Broken:
                CloseStdin(process);
                break;
        }
    }

    /// <summary>Leaves the rest in the FIFO until the process reads: waits for its end instead.</summary>
    private void WaitWritable(ShimProcess process, StdinPump pump)
    {
        Unwatch(pump.Fifo);
        if (!_handlers.ContainsKey(pump.Destination.Fd))
        {
            Interop.EpollAdd(_epoll.Fd, pump.Destination.Fd, Interop.EPOLLOUT);
            _handlers[pump.Destination.Fd] = _ => OnStdinWritable(process);
        }
    }

    private void OnStdinWritable(ShimProcess process)
    {
        if (process.StdinPump is not StdinPump pump)
        {
            return;
        }

        StdinPumpResult result = pump.CloseRequested ? pump.Forward() : pump.Flush();
        if (result == StdinPumpResult.Blocked)
        {
            return;
        }

        Unwatch(pump.Destination);
        if (result == StdinPumpResult.Broken || pump.CloseRequested)
        {
            CloseStdin(process);
            return;
        }

        Watch(pump.Fifo.Fd, _ => OnStdinReadable(process));
    }

    private void CloseStdin(ShimProcess process)
    {
        if (process.StdinPump is StdinPump pump)
        {
            Unwatch(pump.Fifo);
            Unwatch(pump.Destination);
            pump.Dispose();
            process.StdinPump = null;
        }
    }

    private ShimResponse CloseIO(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        if (process.StdinPump is StdinPump pump)
        {
            // What the host wrote before it asked is in the FIFO: deliver it first, then close. When
            // the process is not reading, the close waits until it has taken all of it.
            StdinPumpResult result = _handlers.ContainsKey(pump.Destination.Fd) ? StdinPumpResult.Blocked : pump.Forward();
            if (result == StdinPumpResult.Blocked)
            {
                pump.CloseRequested = true;
                WaitWritable(process, pump);
            }
            else
            {
                CloseStdin(process);
            }
        }

        return new ShimResponse();
    }

    private unsafe ShimResponse ResizePty(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        if (request.Width is <= 0 or > ushort.MaxValue || request.Height is <= 0 or > ushort.MaxValue)
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, $"width: {request.Width}x{request.Height} is not a terminal size (1 to 65535 each)");
        }

        if (process.Console is null)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"{Describe(task, process)} has no terminal");
        }

        // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
        ushort* size = stackalloc ushort[4];
        size[0] = (ushort)request.Height;
        size[1] = (ushort)request.Width;
        size[2] = 0;
        size[3] = 0;
        if (Interop.Ioctl(process.Console.Fd, Interop.TIOCSWINSZ, size) < 0)
        {
            throw new LinuxErrorException("ioctl", Marshal.GetLastPInvokeError(), "TIOCSWINSZ");
        }

        return new ShimResponse();
    }

    /// <summary>
    /// Checks that the process JSON's <c>terminal</c> agrees with what the host asked: a runtime
    /// given a terminal process without a console socket (or the reverse) fails late and obscurely.
    /// </summary>
    private static void RequireTerminalAgrees(string processJson, bool terminal)
    {
        bool specTerminal = false;
        try
        {
            using JsonDocument document = JsonDocument.Parse(processJson);
            JsonElement process = document.RootElement;
            if (process.ValueKind == JsonValueKind.Object && process.TryGetProperty("process", out JsonElement inner))
            {
                process = inner; // a bundle's config.json
            }

            if (process.ValueKind == JsonValueKind.Object && process.TryGetProperty("terminal", out JsonElement value))
            {
                specTerminal = value.ValueKind == JsonValueKind.True;
            }
        }
        catch (JsonException)
        {
            return; // not JSON: the runtime reports that, with its own message
        }

        if (specTerminal != terminal)
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, terminal
                ? "process.terminal: a terminal was asked for but the process has terminal=false"
                : "process.terminal: the process has terminal=true but no terminal was asked for");
        }
    }
}
