using Native = Containers.Lifecycle.Interop;
using Containers.Tasks;
using Microsoft.Win32.SafeHandles;

namespace Containers.Client;

/// <summary>
/// The host's side of one process's stdio: FIFOs in a private directory (the task's bundle for its init, a
/// directory of their own for an exec, in the bundle's <c>execs</c>, as containerd's cio makes them) that the shim
/// opens, the host's ends, and the copies between them and the caller's streams.
/// </summary>
/// <remarks>
/// Output FIFOs are opened here read-only and non-blocking before the shim opens them (read-write), so
/// nothing the process writes is dropped for want of a reader; the copies start only once the shim
/// holds its ends (an open FIFO without writers reads as end of file). The shim closes its end when
/// the process's pipe reaches end of file and it has written all it held back (a FIFO nobody drains makes it
/// stop reading the pipe, so the process blocks: nothing is dropped), or when the process is deleted; that ends the copy. The stdin
/// FIFO's writer is opened once the shim holds its reader, filled from the caller's stream and
/// closed at its end; the shim holds the FIFO read-write, so the process reads end of file only
/// after CloseIO, which the copy then asks for (a process that is gone makes the copy stop with EPIPE). Copies run on dedicated
/// threads polling their descriptor, so many containers do not starve the thread pool and a copy
/// can always be stopped; the threads are kept for the next copies (<see cref="CopyThreads"/>).
/// </remarks>
internal sealed class StdioFifos : IAsyncDisposable
{
    private const int PollMilliseconds = 200;
    private readonly string? _directory;
    private readonly bool _ownsDirectory;
    private readonly ProcessIO _io;
    private readonly string? _stdinPath;
    private readonly SafeFileHandle? _stdout;
    private readonly SafeFileHandle? _stderr;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _outputs = [];
    private Task? _input;

    private StdioFifos(string? directory, bool ownsDirectory, ProcessIO io, TaskIO taskIO, SafeFileHandle? stdout, SafeFileHandle? stderr)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _io = io;
        TaskIO = taskIO;
        _stdinPath = taskIO.Stdin;
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>The paths to give the shim.</summary>
    public TaskIO TaskIO { get; }

    /// <summary>Makes the FIFOs <paramref name="io"/> needs in a new 0700 directory under <paramref name="root"/> (an exec's).</summary>
    /// <exception cref="InvalidSpecException">The log file is not absolute, or is combined with output streams.</exception>
    public static StdioFifos Create(string root, ProcessIO io) => Create(root, io, inDirectory: false);

    /// <summary>
    /// Makes the FIFOs <paramref name="io"/> needs as <c>stdin</c>, <c>stdout</c> and <c>stderr</c> in an existing private
    /// directory — a task's bundle, which lives exactly as long as the task (0700, or 0710 for the root group of a
    /// user-namespace container, whose processes still cannot open these 0600 root-owned FIFOs). A directory of their
    /// own under <c>State/fifo</c> (as an exec's) would cost a mkdir and an rmdir more per task. Dispose removes the
    /// FIFOs, not the directory; <see cref="BundleFiles.Delete"/> removes them with the bundle (a stale one too).
    /// </summary>
    /// <exception cref="InvalidSpecException">The log file is not absolute, or is combined with output streams.</exception>
    public static StdioFifos CreateIn(string directory, ProcessIO io) => Create(directory, io, inDirectory: true);

    private static StdioFifos Create(string root, ProcessIO io, bool inDirectory)
    {
        ArgumentNullException.ThrowIfNull(io);
        if (io.LogFile is not null && (!Path.IsPathFullyQualified(io.LogFile) || io.Stdout is not null || io.Stderr is not null))
        {
            throw new InvalidSpecException("io.logFile", "must be an absolute path and excludes stdout/stderr streams");
        }

        if (io.Terminal && io.Stderr is not null)
        {
            throw new InvalidSpecException("io.stderr", "a terminal merges stderr into stdout: give only Stdout");
        }

        if (io.Unattached && (io.Stdin is not null || io.Stdout is not null || io.Stderr is not null || io.LogFile is not null))
        {
            throw new InvalidSpecException("io.unattached", "makes FIFOs for a later attachment and excludes streams and a log file");
        }

        if (io.Stdin is null && io.Stdout is null && io.Stderr is null && !io.Unattached)
        {
            string? log = io.LogFile is null ? null : "file://" + io.LogFile;
            return new StdioFifos(null, false, io, new TaskIO { Stdout = log, Stderr = io.Terminal ? null : log, Terminal = io.Terminal }, null, null);
        }

        string directory = root;
        if (!inDirectory)
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            directory = Path.Combine(root, Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        SafeFileHandle? stdout = null, stderr = null;
        try
        {
            string? stdinPath = io.Stdin is null && !io.Unattached ? null : Path.Combine(directory, "stdin");
            if (stdinPath is not null)
            {
                Native.MakeFifo(stdinPath);
            }

            if (io.Unattached)
            {
                // Nothing is held here: the shim holds the FIFOs read-write, so output waits in them for a reader.
                string stdoutFifo = Path.Combine(directory, "stdout");
                Native.MakeFifo(stdoutFifo);
                string? stderrFifo = io.Terminal ? null : Path.Combine(directory, "stderr");
                if (stderrFifo is not null)
                {
                    Native.MakeFifo(stderrFifo);
                }

                return new StdioFifos(directory, !inDirectory, io, new TaskIO { Stdin = stdinPath, Stdout = stdoutFifo, Stderr = stderrFifo, Terminal = io.Terminal }, null, null);
            }

            string? stdoutPath = Fifo(directory, "stdout", io.Stdout is not null, Native.O_RDONLY | Native.O_NONBLOCK, ref stdout);
            string? stderrPath = Fifo(directory, "stderr", io.Stderr is not null, Native.O_RDONLY | Native.O_NONBLOCK, ref stderr);
            string? log = io.LogFile is null ? null : "file://" + io.LogFile;
            return new StdioFifos(directory, !inDirectory, io, new TaskIO { Stdin = stdinPath, Stdout = stdoutPath ?? log, Stderr = stderrPath ?? (io.Terminal ? null : log), Terminal = io.Terminal }, stdout, stderr);
        }
        catch
        {
            stdout?.Dispose();
            stderr?.Dispose();
            RemoveFifos(directory, ownsDirectory: !inDirectory);
            throw;
        }
    }

    /// <summary>
    /// Connects <paramref name="stdin"/> to the stdin FIFO of a running process (<paramref name="existing"/>, from the
    /// shim's task state), as containerd's <c>cio.NewAttach</c> does; an attachment's output goes through
    /// <see cref="OutputFanOut"/>. The FIFO stays when the attachment is disposed (its process's delete removes it).
    /// </summary>
    /// <exception cref="FailedPreconditionException">The process has no stdin FIFO, or it is gone.</exception>
    public static StdioFifos AttachInput(TaskIO existing, Stream? stdin)
    {
        string? stdinPath = stdin is null ? null : AttachablePath(existing.Stdin, "stdin");
        return new StdioFifos(null, false, new ProcessIO { Stdin = stdin }, existing with { Stdin = stdinPath }, null, null);
    }

    /// <summary>
    /// Removes the FIFO directory of a process created by a client over <paramref name="root"/>, once the
    /// process is deleted (by any host: the one that made them may be gone). Paths elsewhere are left alone.
    /// </summary>
    public static void RemoveDirectoryOf(TaskIO io, string root)
    {
        foreach (string? path in (string?[])[io.Stdin, io.Stdout, io.Stderr])
        {
            if (path is null || path.StartsWith("file://", StringComparison.Ordinal))
            {
                continue;
            }

            // Only a directory as Create makes them: State/fifo/<32 hex digits>, holding nothing but the three
            // FIFOs (the paths come from a shim, and so from whichever host named them).
            string? directory = Path.GetDirectoryName(path);
            if (directory is not null && Path.GetDirectoryName(directory) == Path.GetFullPath(root) && IsFifoDirectoryName(Path.GetFileName(directory))
                && Path.GetFileName(path) is "stdin" or "stdout" or "stderr" && Directory.Exists(directory))
            {
                try
                {
                    foreach (string name in (string[])["stdin", "stdout", "stderr"])
                    {
                        File.Delete(Path.Combine(directory, name));
                    }

                    Directory.Delete(directory);
                }
                catch (DirectoryNotFoundException)
                {
                    // Removed meanwhile (by its owner's dispose, or another host's delete).
                }
                catch (IOException)
                {
                    // It holds something else: not ours to remove.
                }

                return;
            }
        }
    }

    private static bool IsFifoDirectoryName(string name) => name.Length == 32 && name.All(char.IsAsciiHexDigitLower);

    /// <summary>The FIFO <paramref name="path"/> of a process's <paramref name="stream"/>, checked to exist.</summary>
    /// <exception cref="FailedPreconditionException">It is none, a log file, or gone.</exception>
    internal static string AttachablePath(string? path, string stream)
        => path is null || path.StartsWith("file://", StringComparison.Ordinal)
            ? throw new FailedPreconditionException($"the process has no {stream} FIFO to attach to ({(path is null ? "not connected" : "it writes to " + path[7..])})")
            : File.Exists(path) ? path : throw new FailedPreconditionException($"the process's {stream} FIFO {path} is gone");


    /// <summary>Starts the copies; call once the shim has opened its ends (after create, or an exec's start).</summary>
    /// <param name="closeInput">
    /// Called once the caller's stdin stream ended and all of it is in the FIFO: the shim holds the FIFO
    /// open itself (so a new host can write on after a restart) and ends the process's input only on
    /// CloseIO.
    /// </param>
    public void Start(Func<ValueTask> closeInput)
    {
        if (_stdout is not null)
        {
            _outputs.Add(CopyOut(_stdout, _io.Stdout!));
        }

        if (_stderr is not null)
        {
            _outputs.Add(CopyOut(_stderr, _io.Stderr!));
        }

        if (_stdinPath is not null && _io.Stdin is not null)
        {
            _input = Task.Run(() => CopyInAsync(_io.Stdin!, _stdinPath, closeInput, _stop.Token));
        }
    }

    /// <summary>Waits until every output copy saw end of file, or <paramref name="timeout"/> passed; true when they all ended.</summary>
    public async Task<bool> OutputEndedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task all = Task.WhenAll(_outputs);
        try
        {
            await all.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Stops the copies (what the FIFOs still hold is copied first), closes the FIFOs and removes their directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_outputs).ConfigureAwait(false);
            if (_input is not null)
            {
                // A caller's stream that ignores cancellation (a terminal's stdin blocked in read) would
                // hold the dispose forever: the copy is let go; its next write fails or finds the stop.
                await _input.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or OperationCanceledException)
        {
            // A caller's stream failed: its copy stopped; the FIFOs still go.
        }

        _stdout?.Dispose();
        _stderr?.Dispose();
        if (_directory is not null)
        {
            RemoveFifos(_directory, _ownsDirectory);
        }

        if (_input is not { IsCompleted: false })
        {
            _stop.Dispose();
        }
    }

    /// <summary>Removes the FIFOs of <paramref name="directory"/>: with it when it is theirs, else by name.</summary>
    private static void RemoveFifos(string directory, bool ownsDirectory)
    {
        try
        {
            if (ownsDirectory)
            {
                Directory.Delete(directory, recursive: true);
                return;
            }

            foreach (string name in (string[])["stdin", "stdout", "stderr"])
            {
                File.Delete(Path.Combine(directory, name));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // An exec's FIFOs, removed by the task's delete before this handle let them go.
        }
    }

    private static string? Fifo(string directory, string name, bool wanted, int flags, ref SafeFileHandle? handle)
    {
        if (!wanted)
        {
            return null;
        }

        string path = Path.Combine(directory, name);
        Native.MakeFifo(path);
        handle = Native.Open(path, flags);
        return path;
    }

    private Task CopyOut(SafeFileHandle fifo, Stream destination)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        CopyThreads.Run(() =>
        {
            try
            {
                CopyOut(fifo, destination, _stop.Token);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    // A process's own copy: on stop it still drains what the FIFO holds (until a poll finds nothing).
    private static void CopyOut(SafeFileHandle fifo, Stream destination, CancellationToken stop)
    {
        byte[] buffer = new byte[65536];
        while (true)
        {
            short events = Native.Poll(fifo, Native.POLLIN, PollMilliseconds);
            if (events == 0)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            nint n = Native.Read(fifo, buffer);
            if (n > 0)
            {
                destination.Write(buffer, 0, (int)n);
                destination.Flush();
            }
            else if (n == 0 || (n != -Native.EAGAIN && n != -4 /* EINTR */))
            {
                // End of file: the shim closed its end (the process's output ended, or it was deleted),
                // after it wrote all it held back.
                return;
            }
        }
    }

    private static async Task CopyInAsync(Stream source, string path, Func<ValueTask> closeInput, CancellationToken stop)
    {
        SafeFileHandle fifo;
        try
        {
            // Non-blocking: the shim's reader exists now, or the process is already gone (ENXIO).
            fifo = Native.Open(path, Native.O_WRONLY | Native.O_NONBLOCK);
        }
        catch (IOException)
        {
            return;
        }

        using (fifo)
        {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = await source.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
            {
                if (!WriteAll(fifo, buffer.AsSpan(0, n), stop))
                {
                    return;
                }
            }
        }

        try
        {
            await closeInput().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FailedPreconditionException or NotFoundException)
        {
            // The process ended (or was deleted) before its input did: nothing is left to close.
        }
    }

    /// <summary>Writes all of <paramref name="data"/>, waiting while the FIFO is full; false when the reader is gone or <paramref name="stop"/> fired.</summary>
    private static bool WriteAll(SafeFileHandle fifo, ReadOnlySpan<byte> data, CancellationToken stop)
    {
        while (data.Length > 0)
        {
            nint n = Native.Write(fifo, data);
            if (n > 0)
            {
                data = data[(int)n..];
            }
            else if (n == -Native.EAGAIN)
            {
                if (stop.IsCancellationRequested)
                {
                    return false;
                }

                _ = Native.Poll(fifo, Native.POLLOUT, PollMilliseconds);
            }
            else if (n != -4 /* EINTR */)
            {
                return false;
            }
        }

        return true;
    }
}
