using System.Runtime.InteropServices;
using System.Text.Json;

namespace Containers.Linux.Supervision;

/// <summary>
/// The shim host's event loop (DESIGN.md §2 point 5): one epoll set on the main thread over the
/// listening socket, the clients, a signalfd (SIGCHLD, SIGTERM), one pidfd per process and the
/// processes' output pipes. No thread pool, no async, no timers: everything, runtime calls
/// included, is a step of this loop. The shim is a child subreaper, so every container init and
/// exec'd process re-parents to it when the runtime that created it exits.
/// </summary>
internal sealed partial class ShimServer : IDisposable
{
    private const int MaxUnclaimedExits = 4096;
    private readonly string _directory;
    private readonly string _defaultRuntime;
    private readonly Func<string, IRuntimeDriver>? _inProcessDriver;
    private readonly SafeFdHandle _epoll;
    private readonly SafeFdHandle _signals;
    private readonly SafeFdHandle _listener;
    private readonly Dictionary<int, Action<uint>> _handlers = [];
    private readonly Dictionary<string, ShimTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ShimExitRecord> _unclaimed = [];
    private readonly HashSet<ShimConnection> _connections = [];
    private readonly List<string> _removeAfterReply = [];
    private readonly int _idleExitMs;
    private long _lastActivity = Environment.TickCount64;
    private bool _stopping;
    private bool _removeState;

    /// <summary>Set by a create with <see cref="ShimRequest.ExitWithTask"/>: the shim exits once it has no task, idle exit or not.</summary>
    private bool _exitWithTask;

    /// <summary>The host process that started this idle-exit shim (a pidfd), while it lives and is watched.</summary>
    private SafeFdHandle? _host;

    /// <summary>The host that started this idle-exit shim is gone: nobody will give it a task, so it exits once it has none.</summary>
    private bool _hostGone;

    /// <summary>The driver's preparation for a next create, run after a <c>delete</c> the shim stays on after (see <see cref="Serve"/>).</summary>
    private Action? _prepareNext;

    private ShimServer(string directory, string defaultRuntime, Func<string, IRuntimeDriver>? inProcessDriver, int idleExitMs, SafeFdHandle epoll, SafeFdHandle signals, SafeFdHandle listener)
    {
        _directory = directory;
        _idleExitMs = idleExitMs;
        _defaultRuntime = defaultRuntime;
        _inProcessDriver = inProcessDriver;
        _epoll = epoll;
        _signals = signals;
        _listener = listener;
    }

    /// <summary>
    /// Sets the shim up in <paramref name="directory"/> (0700), reports readiness on
    /// <paramref name="readyFd"/> (closed afterwards), and serves until the last task is deleted or
    /// SIGTERM arrives. A task that names no runtime is driven by <paramref name="inProcessDriver"/>
    /// (given the runtime root; runcs's engine on this thread) when there is one, else by
    /// <paramref name="defaultRuntime"/> as a binary. With <paramref name="idleExitMs"/> ≥ 0 the shim
    /// outlives its last task instead: it exits once it has had no task, no open connection and no
    /// request for that many milliseconds (a warm shim the host can give its next task). With
    /// <paramref name="warmUp"/> (a shim started ahead of its task) it prepares, once ready, what a fresh
    /// process would do on its first request — <paramref name="warmUp"/> for the driver's part, then a
    /// collection — while no one waits for it. With <paramref name="hostPid"/> (and an idle exit) the shim
    /// exits as soon as it has no task once that process has ended, instead of after its idle time: a warm or
    /// spare shim whose host died can be given no task (no other host knows it). A shim that stays after a
    /// <c>delete</c> (a warm or a group's shim) calls <paramref name="prepareNext"/> once it has answered, to prepare the
    /// driver's part of its next create off that create's path.
    /// </summary>
    /// <exception cref="LinuxErrorException">The socket, signalfd or epoll set cannot be made.</exception>
    /// <exception cref="ShimFault">Another shim serves the directory.</exception>
    public static unsafe void Serve(string directory, string defaultRuntime, int readyFd, Func<string, IRuntimeDriver>? inProcessDriver = null, int idleExitMs = -1, Action? warmUp = null, int hostPid = -1, Action? prepareNext = null)
    {
        // Block the signals the loop reads from its signalfd (and SIGPIPE: sends use MSG_NOSIGNAL,
        // but a stray write must not kill the shim).
        byte* mask = stackalloc byte[Interop.SigSetSize];
        _ = Interop.SigEmptySet(mask);
        _ = Interop.SigAddSet(mask, Interop.SIGCHLD);
        _ = Interop.SigAddSet(mask, Interop.SIGTERM);
        _ = Interop.SigAddSet(mask, 13); // SIGPIPE
        _ = Interop.PthreadSigMask(Interop.SIG_BLOCK, mask, null);
        _ = Interop.SigDelSet(mask, 13);
        Interop.ThrowOnError(Interop.Prctl(Interop.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(ShimPaths.Tasks(directory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(ShimPaths.RuntimeRoot(directory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (idleExitMs >= 0)
        {
            // A warm or a group's shim makes and removes a task and a runtime directory per task: spread them over ext4's
            // groups. A shim for one task (started on its create's path) skips the syscalls.
            _ = Common.TopDirectoryFlag.TrySet(ShimPaths.Tasks(directory));
            _ = Common.TopDirectoryFlag.TrySet(ShimPaths.RuntimeRoot(directory));
        }
        string socketPath = ShimPaths.Socket(directory);
        if (File.Exists(socketPath))
        {
            try
            {
                Interop.ConnectUnix(socketPath, "socket").Dispose();
                throw new ShimFault(ShimErrorKind.AlreadyExists, $"a shim already serves {directory}");
            }
            catch (LinuxErrorException)
            {
                File.Delete(socketPath); // left by a shim that died
            }
        }

        SafeFdHandle listener = Interop.ListenUnix(socketPath);
        _ = Interop.Listen(listener.Fd, 64);
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        SafeFdHandle signals = new(Interop.ThrowOnError(Interop.SignalFd(-1, mask, Interop.SFD_NONBLOCK | Interop.SFD_CLOEXEC), "signalfd"));
        SafeFdHandle epoll = new(Interop.ThrowOnError(Interop.EpollCreate1(Interop.EPOLL_CLOEXEC), "epoll_create1"));
        using ShimServer server = new(directory, defaultRuntime, inProcessDriver, idleExitMs, epoll, signals, listener);
        server._prepareNext = prepareNext;
        server.Watch(listener.Fd, _ => server.Accept());
        server.Watch(signals.Fd, _ => server.OnSignal());
        if (hostPid > 0 && idleExitMs >= 0)
        {
            server.WatchHost(hostPid);
        }
        File.WriteAllText(ShimPaths.PidFile(directory), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (readyFd >= 0)
        {
            Interop.WriteFully(readyFd, "ok\n"u8);
            _ = Interop.Close(readyFd);
        }

        if (warmUp is not null)
        {
            // A request that comes meanwhile waits in the listen backlog; the work is what it would have done anyway.
            try
            {
                WarmUp(warmUp);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Only a head start: a shim that could not prepare serves all the same (its first request does the work).
                Interop.WriteFully(2, System.Text.Encoding.UTF8.GetBytes($"shim: warm-up failed: {ex.Message}\n"));
            }
        }

        server.Loop();
    }

    /// <summary>
    /// What a fresh shim otherwise does on its first request: the runtime's processor-id timing and the driver's part
    /// (the JSON contracts of the engine's state file, see <see cref="JsonContractWarmUp"/>); then a collection, so
    /// that the garbage of it does not make the first request collect. (The shim's own JSON needs no preparation:
    /// <see cref="ShimJsonCodec"/>.)
    /// </summary>
    private static void WarmUp(Action warmUp)
    {
        // The runtime times its processor-number lookup once, in a class constructor the first array-pool or lock use
        // runs: about 0.3 ms in a fresh shim's first create.
        _ = Thread.GetCurrentProcessorId();
        warmUp();
        GC.Collect();
    }

    /// <summary>Watches the host process through a pidfd; one that is already gone (ESRCH) counts as gone.</summary>
    private void WatchHost(int hostPid)
    {
        int fd = Interop.PidfdOpen(hostPid);
        if (fd < 0)
        {
            // ESRCH: it died before this shim got here. Anything else (no pidfd_open): not watched, the idle exit stays.
            _hostGone = Marshal.GetLastPInvokeError() == Interop.ESRCH;
            return;
        }

        SafeFdHandle host = new(fd);
        _host = host;
        Watch(fd, _ =>
        {
            Unwatch(host);
            host.Dispose();
            _hostGone = true;
        });
    }

    private unsafe void Loop()
    {
        int size = Interop.EpollEventSize;
        byte* events = stackalloc byte[size * 32];
        while (!_stopping)
        {
            int count = Interop.EpollWait(_epoll.Fd, events, 32, IdleTimeout());
            if (count == 0 && IdleTimeout() == 0)
            {
                // Idle for the whole idle-exit time: answer nobody more, remove the directory, exit.
                _stopping = true;
                _removeState = true;
                break;
            }

            if (count < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                throw new LinuxErrorException("epoll_wait", errno);
            }

            for (int i = 0; i < count && !_stopping; i++)
            {
                byte* entry = events + (i * size);
                int fd = (int)*(ulong*)(entry + Interop.EpollDataOffset);
                if (_handlers.TryGetValue(fd, out Action<uint>? handler))
                {
                    try
                    {
                        handler(*(uint*)entry);
                    }
                    catch (Exception ex) when (ex is ContainersException or IOException or UnauthorizedAccessException)
                    {
                        // One failed step (a full disk for an exit file…) must not end the shim
                        // and orphan every container; say it in shim.log (stderr) and go on.
                        Interop.WriteFully(2, System.Text.Encoding.UTF8.GetBytes($"shim: {ex.Message}\n"));
                    }
                }
            }
        }
    }

    /// <summary>
    /// The epoll timeout: -1 (none) unless the shim idles out, has no task and no open connection;
    /// then the milliseconds left of its idle time (0 once it is over).
    /// </summary>
    private int IdleTimeout()
    {
        if (_idleExitMs < 0 || _tasks.Count != 0 || _connections.Count != 0)
        {
            return -1;
        }

        if (_hostGone)
        {
            return 0;
        }

        long left = _lastActivity + _idleExitMs - Environment.TickCount64;
        return left <= 0 ? 0 : (int)Math.Min(left, int.MaxValue);
    }

    private void Watch(int fd, Action<uint> handler)
    {
        Interop.EpollAdd(_epoll.Fd, fd, Interop.EPOLLIN);
        _handlers[fd] = handler;
    }

    private void Unwatch(SafeFdHandle handle)
    {
        if (!handle.IsClosed)
        {
            Interop.EpollRemove(_epoll.Fd, handle.Fd);
            _ = _handlers.Remove(handle.Fd);
        }
    }

    private unsafe void Accept()
    {
        const int SOCK_NONBLOCK = 0x800;
        int fd = Interop.Accept4(_listener.Fd, null, null, Interop.SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
        {
            return;
        }

        SafeFdHandle socket = new(fd);
        long uid = Interop.PeerUid(fd);
        if (uid != 0 && uid != Interop.GetEUid())
        {
            // Peer-credential check: only root and the shim's own user may drive its containers.
            socket.Dispose();
            return;
        }

        ShimConnection connection = new(socket);
        _ = _connections.Add(connection);
        Watch(fd, _ => OnClient(connection));
    }

    private unsafe void OnClient(ShimConnection connection)
    {
        byte* buffer = stackalloc byte[4096];
        while (true)
        {
            nint n = Interop.Read(connection.Socket.Fd, buffer, 4096);
            if (n == 0)
            {
                Close(connection);
                return;
            }

            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                if (errno != Interop.EAGAIN)
                {
                    Close(connection);
                    return;
                }

                break;
            }

            connection.Pending.Write(new ReadOnlySpan<byte>(buffer, (int)n));
        }

        ProcessFrames(connection);
    }

    private void ProcessFrames(ShimConnection connection)
    {
        // One request at a time per connection: a pending wait holds the rest until it is answered.
        while (!connection.IsWaiting && !_stopping)
        {
            byte[] pending = connection.Pending.GetBuffer();
            int available = (int)connection.Pending.Length;
            if (available < ShimFraming.HeaderLength)
            {
                return;
            }

            int length = ShimFraming.ReadLength(pending);
            if (length < 0)
            {
                Close(connection);
                return;
            }

            if (available < ShimFraming.HeaderLength + length)
            {
                return;
            }

            ShimRequest? request;
            try
            {
                request = ShimJsonCodec.ReadRequest(pending.AsSpan(ShimFraming.HeaderLength, length));
            }
            catch (JsonException)
            {
                request = null;
            }

            _lastActivity = Environment.TickCount64;
            int rest = available - ShimFraming.HeaderLength - length;
            Buffer.BlockCopy(pending, ShimFraming.HeaderLength + length, pending, 0, rest);
            connection.Pending.SetLength(rest);
            ShimResponse? response = request is null
                ? ShimResponse.Failure(ShimErrorKind.InvalidArgument, "the request is not a JSON object of the shim protocol")
                : Dispatch(connection, request);
            if (response is not null)
            {
                Reply(connection, response);
            }

            RemoveDeletedTaskDirectories();
            if (request?.Op == ShimOps.Delete && !_stopping)
            {
                PrepareNext();
            }
        }
    }

    /// <summary>
    /// After a delete's answer in a shim that stays: the driver's preparation of the next create (the in-process engine
    /// makes that container's namespaces ahead). A failure is logged: the next create then does the work itself.
    /// </summary>
    private void PrepareNext()
    {
        try
        {
            _prepareNext?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interop.WriteFully(2, System.Text.Encoding.UTF8.GetBytes($"shim: preparing the next create failed: {ex.Message}\n"));
        }
    }

    private void Reply(ShimConnection connection, ShimResponse response)
    {
        if (connection.Socket.IsClosed)
        {
            return;
        }

        byte[] frame = ShimFraming.Frame(ShimJsonCodec.WriteResponse(response));
        // Answers are small; the socket is made blocking for the send so a full buffer is waited out.
        Interop.SetNonBlocking(connection.Socket.Fd, nonBlocking: false);
        bool sent = Interop.SendFully(connection.Socket.Fd, frame);
        if (!sent)
        {
            Close(connection);
            return;
        }

        Interop.SetNonBlocking(connection.Socket.Fd, nonBlocking: true);
    }

    private void Close(ShimConnection connection)
    {
        _lastActivity = Environment.TickCount64;
        _ = connection.Waiting?.Waiters.Remove(connection);
        connection.Waiting = null;
        _ = connection.WaitingOom?.OomWaiters.Remove(connection);
        connection.WaitingOom = null;
        Unwatch(connection.Socket);
        connection.Socket.Dispose();
        _ = _connections.Remove(connection);
    }

    private unsafe void OnSignal()
    {
        byte* info = stackalloc byte[Interop.SignalFdInfoSize];
        while (Interop.Read(_signals.Fd, info, Interop.SignalFdInfoSize) == Interop.SignalFdInfoSize)
        {
            if (*(uint*)info == Interop.SIGTERM)
            {
                // Stop serving, leave every container and every file as it is: a later shim or host
                // can still read the exit files.
                _stopping = true;
            }
        }

        ReapAll();
    }

    private unsafe void ReapAll()
    {
        int status;
        int pid;
        while ((pid = Interop.WaitPid(-1, &status, Interop.WNOHANG)) > 0)
        {
            OnReaped(pid, Interop.ExitCodeOf(status));
        }
    }

    private unsafe void OnPidfd(ShimProcess process)
    {
        int status;
        if (Interop.WaitPid(process.Pid, &status, Interop.WNOHANG) == process.Pid)
        {
            OnReaped(process.Pid, Interop.ExitCodeOf(status));
        }
        else if (process.Exit is null && Marshal.GetLastPInvokeError() == 10 /* ECHILD */ && process.Pidfd is not null)
        {
            // Not our child (the runtime did not re-parent it here): the pidfd still says it ended.
            Record(process, new ShimExitRecord { Pid = process.Pid, ExitCode = 255, ExitedAt = DateTimeOffset.UtcNow });
        }
    }

    private void OnReaped(int pid, int exitCode)
    {
        ShimExitRecord exit = new() { Pid = pid, ExitCode = exitCode, ExitedAt = DateTimeOffset.UtcNow };
        ShimProcess? process = FindProcess(pid);
        if (process is not null)
        {
            Record(process, exit);
        }
        else if (_unclaimed.Count < MaxUnclaimedExits)
        {
            // A process the runtime has not told us about yet (its pid file is read after the
            // runtime exits), or a re-parented grandchild: kept until a process claims the pid.
            _unclaimed[pid] = exit;
        }
    }

    private ShimProcess? FindProcess(int pid)
    {
        foreach (ShimTask task in _tasks.Values)
        {
            if (task.Init.Pid == pid && task.Init.Exit is null)
            {
                return task.Init;
            }

            foreach (ShimProcess exec in task.Execs.Values)
            {
                if (exec.Pid == pid && exec.Exit is null)
                {
                    return exec;
                }
            }
        }

        return null;
    }

    private void Record(ShimProcess process, ShimExitRecord exit)
    {
        if (process.Exit is not null)
        {
            return;
        }

        // What the process wrote before it ended is in its pipes now: copy it out before anyone
        // learns of the exit, so a waiter finds all of it in the log. Output a full FIFO holds back
        // does not delay the exit: it follows when a reader drains the FIFO, before its end of file.
        foreach (StdioPump pump in process.Pumps)
        {
            if (pump.Pump() == StdioPumpResult.Held)
            {
                HoldOutput(process, pump);
            }
        }

        BeforeExitRecorded(process);

        process.Exit = exit;
        process.Status = ShimStatus.Stopped;
        if (process.Pidfd is not null)
        {
            Unwatch(process.Pidfd);
            process.Pidfd.Dispose();
            process.Pidfd = null;
        }

        ShimFiles.Write(process.ExitFile, ShimJsonCodec.WriteExitRecord(exit));
        foreach (ShimConnection waiter in process.Waiters.ToArray())
        {
            waiter.Waiting = null;
            Reply(waiter, new ShimResponse { Pid = exit.Pid, Exit = exit });
            ProcessFrames(waiter);
        }

        process.Waiters.Clear();
        AfterExitRecorded(process);
    }

    /// <summary>Starts watching a process the runtime created: its pidfd and its output pumps.</summary>
    private void Track(ShimProcess process, int pid)
    {
        process.Pid = pid;
        int pidfd = Interop.PidfdOpen(pid);
        if (pidfd >= 0)
        {
            process.Pidfd = new SafeFdHandle(pidfd);
            Watch(pidfd, _ => OnPidfd(process));
        }

        foreach (StdioPump pump in process.Pumps)
        {
            Watch(pump.Source.Fd, _ => OnPump(process, pump));
        }

        StartStdin(process);
        if (_unclaimed.Remove(pid, out ShimExitRecord? early))
        {
            Record(process, early);
        }
    }

    private void OnPump(ShimProcess process, StdioPump pump)
    {
        switch (pump.Pump())
        {
            case StdioPumpResult.Held:
                HoldOutput(process, pump);
                break;
            case StdioPumpResult.Ended:
                Unwatch(pump.Source);
                pump.End();
                if (!pump.KeepsOutput)
                {
                    pump.Dispose();
                    _ = process.Pumps.Remove(pump);
                }

                break;
        }
    }

    /// <summary>
    /// Back-pressure: the FIFO is full, so the pipe is read no more (the process blocks once it is
    /// full too) and the loop waits for the FIFO to take what the pump holds — never for the FIFO itself.
    /// </summary>
    private void HoldOutput(ShimProcess process, StdioPump pump)
    {
        if (pump.Sink is not SafeFdHandle sink || _handlers.ContainsKey(sink.Fd))
        {
            return;
        }

        Unwatch(pump.Source);
        Interop.EpollAdd(_epoll.Fd, sink.Fd, Interop.EPOLLOUT);
        _handlers[sink.Fd] = _ => OnOutputWritable(process, pump);
    }

    private void OnOutputWritable(ShimProcess process, StdioPump pump)
    {
        if (!pump.Flush())
        {
            return;
        }

        Unwatch(pump.Sink!);
        Watch(pump.Source.Fd, _ => OnPump(process, pump));
    }

    private void Release(ShimProcess process)
    {
        foreach (StdioPump pump in process.Pumps)
        {
            // What a pump still holds, or a FIFO nobody read, goes with the process.
            Unwatch(pump.Source);
            if (pump.Sink is SafeFdHandle sink && _handlers.ContainsKey(sink.Fd))
            {
                Unwatch(sink);
            }

            pump.Dispose();
        }

        process.Pumps.Clear();
        if (process.Pidfd is not null)
        {
            Unwatch(process.Pidfd);
            process.Pidfd.Dispose();
            process.Pidfd = null;
        }

        CloseStdin(process);
        process.Console?.Dispose();
        process.Console = null;
        foreach (ShimConnection waiter in process.Waiters.ToArray())
        {
            waiter.Waiting = null;
            Reply(waiter, ShimResponse.Failure(ShimErrorKind.NotFound, "the process was deleted"));
        }

        process.Waiters.Clear();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (ShimConnection connection in _connections.ToArray())
        {
            Close(connection);
        }

        foreach (ShimTask task in _tasks.Values)
        {
            ReleaseOom(task);
            Release(task.Init);
            foreach (ShimProcess exec in task.Execs.Values)
            {
                Release(exec);
            }
        }

        _host?.Dispose();
        _listener.Dispose();
        _signals.Dispose();
        _epoll.Dispose();
        if (_removeState)
        {
            Directory.Delete(_directory, recursive: true);
        }
        else
        {
            File.Delete(ShimPaths.Socket(_directory));
        }
    }
}
