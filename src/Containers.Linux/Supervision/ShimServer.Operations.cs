using System.Globalization;
using System.Text.Json;

namespace Containers.Linux.Supervision;

/// <summary>The task API operations (docs/shim-protocol.md), each a synchronous step of the loop.</summary>
internal sealed partial class ShimServer
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private ShimResponse? Dispatch(ShimConnection connection, ShimRequest request)
    {
        try
        {
            return request.Op switch
            {
                ShimOps.Create => request.Start ? CreateStarted(request) : Create(request, start: false),
                ShimOps.Start => Start(request),
                ShimOps.Kill => Kill(request),
                ShimOps.Wait => Wait(connection, request),
                ShimOps.Delete => Delete(request),
                ShimOps.Exec => Exec(request),
                ShimOps.Pids => Pids(request),
                ShimOps.Pause => Pause(request, pause: true),
                ShimOps.Resume => Pause(request, pause: false),
                ShimOps.Update => Update(request),
                ShimOps.State => State(request),
                ShimOps.List => List(),
                ShimOps.Shutdown => Shutdown(),
                ShimOps.CloseIO => CloseIO(request),
                ShimOps.ResizePty => ResizePty(request),
                ShimOps.Oom => OomWait(connection, request),
                ShimOps.Metrics => Metrics(request),
                _ => ShimResponse.Failure(ShimErrorKind.InvalidArgument, $"op: unknown operation \"{request.Op}\""),
            };
        }
        catch (ShimFault fault)
        {
            return ShimResponse.Failure(fault.Kind, fault.Message);
        }
        catch (Exception ex) when (ex is ContainersException or IOException or UnauthorizedAccessException or JsonException or FormatException)
        {
            return ShimResponse.Failure(ShimErrorKind.Internal, ex.Message);
        }
    }

    /// <summary>
    /// Creates the task. With <paramref name="start"/> and the in-process engine, its <c>run --detach</c> creates and
    /// starts the init in one verb (no exec fifo, no second verb) and the answer carries the init's status; a runtime
    /// binary gets <c>create</c>, and the caller starts the task.
    /// </summary>
    private ShimResponse Create(ShimRequest request, bool start)
    {
        string id = RequireId(request);
        if (_tasks.ContainsKey(id))
        {
            throw new ShimFault(ShimErrorKind.AlreadyExists, $"task \"{id}\" already exists");
        }

        if (string.IsNullOrEmpty(request.Bundle) || !Path.IsPathFullyQualified(request.Bundle) || !File.Exists(Path.Combine(request.Bundle, "config.json")))
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, $"bundle: \"{request.Bundle}\" is not an absolute directory holding config.json");
        }

        RequireTerminalAgrees(File.ReadAllText(Path.Combine(request.Bundle, "config.json")), request.Terminal);

        // A task that names no runtime gets the shim's own engine in-process; a named binary (even
        // runcs's own path) is driven through its command line.
        IRuntimeDriver driver = string.IsNullOrEmpty(request.Runtime) && _inProcessDriver is not null
            ? _inProcessDriver(ShimPaths.RuntimeRoot(_directory))
            : new RuntimeCommand(string.IsNullOrEmpty(request.Runtime) ? _defaultRuntime : request.Runtime, ShimPaths.RuntimeRoot(_directory));
        string runtime = driver.Runtime;
        string directory = ShimPaths.Task(_directory, id);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true); // a stale directory of a task this shim never had
        }

        Directory.CreateDirectory(directory, PrivateDirectory);
        ShimTaskRecord record = new()
        {
            Namespace = request.Namespace ?? string.Empty,
            Id = id,
            Bundle = request.Bundle,
            Runtime = runtime,
            InProcess = driver.InProcess,
            Stdin = request.Stdin,
            Stdout = request.Stdout,
            Stderr = request.Stderr,
            Terminal = request.Terminal,
        };
        ShimTask task = new(record, driver, directory);
        task.Init.IO = (request.Stdin, request.Stdout, request.Stderr);
        task.Init.Terminal = request.Terminal;
        try
        {
            ShimFiles.Write(ShimPaths.TaskRecord(directory), ShimJsonCodec.WriteTaskRecord(record));
            bool run = start && driver.InProcess;
            string[] verb = run ? ["run", "--detach"] : ["create"];
            string? error = Launch(task, task.Init, [.. verb, "--bundle", request.Bundle, "--pid-file", task.Init.PidFile, id]);
            if (error is not null)
            {
                throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{runtime} {verb[0]} {id}: {error}");
            }

            if (run)
            {
                // Its exit, if it came already, is handled by the loop after this answer.
                task.Init.Status = ShimStatus.Running;
            }

            _tasks[id] = task;
            _exitWithTask |= request.ExitWithTask;
            WatchOom(task);
            return new ShimResponse { Pid = task.Init.Pid, Status = run ? task.Init.Status : null };
        }
        catch
        {
            Release(task.Init);
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A create with <see cref="ShimRequest.Start"/>: the task is created and started in one round trip. The answer
    /// carries the init's status (a shim that does not know the field answers without one, and the host starts the
    /// task itself). A start that fails deletes the task again (its init killed and reaped), so nothing is left.
    /// </summary>
    private ShimResponse CreateStarted(ShimRequest request)
    {
        ShimResponse created = Create(request, start: true);
        if (created.Status is not null)
        {
            return created; // the in-process engine's run started it
        }

        ShimRequest start = new() { Op = ShimOps.Start, Id = request.Id };
        ShimResponse started;
        try
        {
            started = Start(start);
        }
        catch (Exception ex) when (ex is ShimFault or ContainersException or IOException or UnauthorizedAccessException)
        {
            try
            {
                _ = Delete(new ShimRequest { Op = ShimOps.Delete, Id = request.Id });
            }
            catch (Exception cleanup) when (cleanup is ShimFault or ContainersException or IOException or UnauthorizedAccessException)
            {
                // The start's error is the one to report; the host's delete of the task finds what is left.
            }

            throw;
        }

        ShimProcess init = _tasks[request.Id!].Init;
        return new ShimResponse { Pid = started.Pid, Status = init.Status };
    }

    /// <summary>
    /// Runs a runtime command that makes a process (create, exec -d) with the process's stdio, and
    /// tracks the process it names in its pid file (or reports in memory: the in-process engine).
    /// Returns the runtime's error, or null.
    /// </summary>
    private string? Launch(ShimTask task, ShimProcess process, string[] arguments)
    {
        // A terminal process writes to the pty: the runtime's own stdout/stderr pipes only carry its
        // error message, and the process's output comes from the master (TakeConsole).
        StdioPump stdout = StdioPump.Open(process.Terminal ? null : process.IO.Stdout, out SafeFdHandle stdoutEnd);
        process.Pumps.Add(stdout);
        StdioPump stderr = StdioPump.Open(process.Terminal ? null : process.IO.Stderr, out SafeFdHandle stderrEnd);
        process.Pumps.Add(stderr);
        int exitCode;
        int? reportedPid;
        using (SafeFdHandle? console = OpenConsoleSocket(process, ref arguments))
        {
            using (SafeFdHandle? stdin = OpenStdin(process))
            using (stdoutEnd)
            using (stderrEnd)
            {
                exitCode = task.Runtime.RunWithStdio([stdin?.Fd ?? -1, stdoutEnd.Fd, stderrEnd.Fd], arguments);
            }

            reportedPid = task.Runtime.TakeReportedPid(process.PidFile);
            if (exitCode != 0)
            {
                // The runtime wrote its error where the process's stderr goes: our pipe, read before it reaches the log.
                string message = stderr.ReadAvailable();
                File.Delete(ShimPaths.ConsoleSocket(_directory));
                return $"exit status {exitCode}" + (message.Length > 0 ? $": {message}" : string.Empty);
            }

            if (console is not null)
            {
                try
                {
                    TakeConsole(process, console);
                }
                catch (LinuxErrorException ex)
                {
                    // No master came: the process is unusable. A created init is removed again; an
                    // exec'd process, found by its pid file, is killed — it re-parented to this
                    // subreaper and is not reaped yet, so the pid is still that process.
                    if (process.ExecId is null)
                    {
                        _ = task.Runtime.Run("delete", "--force", task.Record.Id);
                    }
                    else if ((reportedPid ?? (int.TryParse(File.Exists(process.PidFile) ? File.ReadAllText(process.PidFile).Trim() : "", NumberStyles.None, CultureInfo.InvariantCulture, out int written) ? written : 0)) is int orphan && orphan > 0)
                    {
                        _ = Interop.Kill(orphan, 9);
                    }

                    return $"the runtime sent no pty master on the console socket: {ex.Message}";
                }
                finally
                {
                    File.Delete(ShimPaths.ConsoleSocket(_directory));
                }
            }
        }

        int pid;
        if (reportedPid is int inMemory)
        {
            pid = inMemory;
        }
        else
        {
            string pidText = File.ReadAllText(process.PidFile).Trim();
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 0)
            {
                return $"pid file {process.PidFile} holds \"{pidText}\"";
            }
        }

        Track(process, pid);
        return null;
    }

    private ShimResponse Start(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        if (process.Status != ShimStatus.Created || process.Exit is not null)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"{Describe(task, process)} is {process.Status}, not created");
        }

        if (process.ExecId is null)
        {
            (int exitCode, _, string stderr) = task.Runtime.Run("start", task.Record.Id);
            if (exitCode != 0)
            {
                throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} start {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
            }
        }
        else
        {
            string file = Path.Combine(task.Directory, $"exec-{process.ExecId}.json");
            string? error = Launch(task, process, ["exec", "--process", file, "--detach", "--pid-file", process.PidFile, task.Record.Id]);
            if (error is not null)
            {
                Release(process);
                throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} exec {task.Record.Id}: {error}");
            }
        }

        if (process.Exit is null)
        {
            process.Status = ShimStatus.Running;
        }

        return new ShimResponse { Pid = process.Pid };
    }

    private ShimResponse Kill(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        if (process.Exit is not null)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"{Describe(task, process)} has exited");
        }

        if (request.Signal is <= 0 or > 64)
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, $"signal: {request.Signal} is not a signal number");
        }

        if (process.ExecId is null)
        {
            string signal = request.Signal.ToString(CultureInfo.InvariantCulture);
            (int exitCode, _, string stderr) = request.All
                ? task.Runtime.Run("kill", "--all", task.Record.Id, signal)
                : task.Runtime.Run("kill", task.Record.Id, signal);
            if (exitCode != 0)
            {
                throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} kill {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
            }
        }
        else if (process.Pidfd is null || Interop.PidfdSendSignal(process.Pidfd.Fd, request.Signal) < 0)
        {
            // Runtimes have no verb for one exec'd process; the pidfd cannot hit a recycled pid.
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"{Describe(task, process)} cannot be signalled (not started or gone)");
        }

        return new ShimResponse();
    }

    private ShimResponse? Wait(ShimConnection connection, ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        if (process.Exit is not null)
        {
            return new ShimResponse { Pid = process.Exit.Pid, Exit = process.Exit };
        }

        connection.Waiting = process;
        process.Waiters.Add(connection);
        return null;
    }

    private ShimResponse Delete(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        if (request.ExecId is not null)
        {
            ShimProcess exec = RequireProcess(task, request.ExecId);
            if (exec.Status is ShimStatus.Running or ShimStatus.Paused)
            {
                throw new ShimFault(ShimErrorKind.FailedPrecondition, $"{Describe(task, exec)} is still running");
            }

            Release(exec);
            _ = task.Execs.Remove(exec.ExecId!);
            File.Delete(exec.ExitFile);
            File.Delete(exec.PidFile);
            File.Delete(Path.Combine(task.Directory, $"exec-{exec.ExecId}.json"));
            return new ShimResponse { Pid = exec.Pid, Exit = exec.Exit ?? new ShimExitRecord { Pid = exec.Pid, ExitCode = 255, ExitedAt = DateTimeOffset.UtcNow } };
        }

        ShimProcess init = task.Init;
        if (init.Exit is null && init.Status != ShimStatus.Created)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"task \"{task.Record.Id}\" is {init.Status}; kill it and wait first");
        }

        (int exitCode, _, string stderr) = init.Exit is null
            ? task.Runtime.Run("delete", "--force", task.Record.Id)
            : task.Runtime.Run("delete", task.Record.Id);
        if (exitCode != 0)
        {
            throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} delete {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
        }

        if (init.Exit is null && init.Pid > 0)
        {
            // A created task that never started: delete --force killed its init; reap it here.
            OnReaped(init.Pid, Interop.ExitCodeOf(Interop.WaitForChild(init.Pid)));
        }

        ShimExitRecord exit = init.Exit ?? new ShimExitRecord { Pid = init.Pid, ExitCode = 255, ExitedAt = DateTimeOffset.UtcNow };
        // The streams of the execs nobody deleted go with the task: the answer names them (always a list, empty when
        // there are none), so the host removes their FIFOs without asking for the task's state first.
        List<ShimExecIO> execs = [.. task.Execs.Values.Select(ExecIO)];
        Release(init);
        foreach (ShimProcess exec in task.Execs.Values)
        {
            Release(exec);
        }

        ReleaseOom(task);
        _ = _tasks.Remove(task.Record.Id);
        MoveOutOfTasks(task.Directory);
        bool exiting = _tasks.Count == 0 && (_idleExitMs < 0 || _exitWithTask || _hostGone);
        if (exiting)
        {
            // The last task is gone: the shim answers, then removes its directory and exits (a shim with an idle
            // exit waits for another task instead, unless its task came with ExitWithTask or the host that started
            // it has ended: the host deleting the task now is another, which does not know this shim).
            _stopping = true;
            _removeState = true;
        }

        return new ShimResponse { Pid = exit.Pid, Exit = exit, Execs = execs, Exiting = exiting };
    }

    private static ShimExecIO ExecIO(ShimProcess exec)
        => new() { ExecId = exec.ExecId, Stdin = exec.IO.Stdin, Stdout = exec.IO.Stdout, Stderr = exec.IO.Stderr, Terminal = exec.Terminal };

    /// <summary>
    /// Takes a deleted task's directory out of <c>tasks/</c> before the answer, with a rename (which frees no block), so
    /// that whoever looks for the task once the answer is out (the host reads task records from disk) finds it gone; its
    /// files go after the answer (<see cref="RemoveDeletedTaskDirectories"/>), before the next request is read. On a file
    /// system with online discard each freed block is a synchronous discard, and the host waits for this answer.
    /// A rename that fails (a stale directory of the same name left by a removal that failed) removes it at once.
    /// </summary>
    private void MoveOutOfTasks(string directory)
    {
        string removing = Path.Combine(_directory, ".removing-" + Path.GetFileName(directory));
        try
        {
            Directory.Move(directory, removing);
        }
        catch (IOException)
        {
            RemoveTaskDirectory(directory);
            return;
        }

        _removeAfterReply.Add(removing);
    }

    /// <summary>
    /// Removes the directories of the tasks the last request deleted, after its answer. A failure leaves a stale directory,
    /// which a later create of the same id replaces and the shim's own removal at its exit takes with the rest.
    /// </summary>
    private void RemoveDeletedTaskDirectories()
    {
        foreach (string directory in _removeAfterReply)
        {
            try
            {
                RemoveTaskDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        _removeAfterReply.Clear();
    }

    /// <summary>
    /// Removes a deleted task's directory: the files a task usually has by name, then the directory (a listing of it,
    /// as <see cref="Directory.Delete(string, bool)"/> makes first, only when something else is left — an exec's files).
    /// </summary>
    private static void RemoveTaskDirectory(string directory)
    {
        try
        {
            File.Delete(ShimPaths.TaskRecord(directory));
            File.Delete(ShimPaths.ExitFile(directory));
            File.Delete(Path.Combine(directory, ShimProcess.InitPidFileName));
            Directory.Delete(directory, recursive: false);
        }
        catch (IOException) when (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private ShimResponse Exec(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        string execId = request.ExecId ?? throw new ShimFault(ShimErrorKind.InvalidArgument, "execId: required");
        RequireName(execId, "execId");
        if (task.Execs.ContainsKey(execId))
        {
            throw new ShimFault(ShimErrorKind.AlreadyExists, $"exec \"{execId}\" of task \"{task.Record.Id}\" already exists");
        }

        if (task.Init.Status != ShimStatus.Running)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"task \"{task.Record.Id}\" is {task.Init.Status}, not running");
        }

        try
        {
            using JsonDocument process = JsonDocument.Parse(request.Json ?? string.Empty);
            if (process.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ShimFault(ShimErrorKind.InvalidArgument, "process: expected an object");
            }
        }
        catch (JsonException ex)
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, $"process: not JSON ({ex.Message})");
        }

        RequireTerminalAgrees(request.Json!, request.Terminal);
        File.WriteAllText(Path.Combine(task.Directory, $"exec-{execId}.json"), request.Json);
        ShimProcess exec = new(execId, task.Directory) { IO = (request.Stdin, request.Stdout, request.Stderr), Terminal = request.Terminal };
        task.Execs[execId] = exec;
        return new ShimResponse();
    }

    private ShimResponse Pids(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        (int exitCode, string stdout, string stderr) = task.Runtime.Run("ps", "--format", "json", task.Record.Id);
        if (exitCode != 0)
        {
            throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} ps {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
        }

        List<ShimPid> pids = [];
        using JsonDocument document = JsonDocument.Parse(string.IsNullOrWhiteSpace(stdout) ? "[]" : stdout);
        foreach (JsonElement element in document.RootElement.EnumerateArray())
        {
            int pid = element.GetInt32();
            string? execId = null;
            foreach (ShimProcess exec in task.Execs.Values)
            {
                if (exec.Pid == pid)
                {
                    execId = exec.ExecId;
                }
            }

            pids.Add(new ShimPid { Pid = pid, ExecId = execId });
        }

        return new ShimResponse { Pids = pids };
    }

    private ShimResponse Pause(ShimRequest request, bool pause)
    {
        ShimTask task = RequireTask(request);
        string expected = pause ? ShimStatus.Running : ShimStatus.Paused;
        if (task.Init.Status != expected)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"task \"{task.Record.Id}\" is {task.Init.Status}, not {expected}");
        }

        string verb = pause ? "pause" : "resume";
        (int exitCode, _, string stderr) = task.Runtime.Run(verb, task.Record.Id);
        if (exitCode != 0)
        {
            throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} {verb} {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
        }

        task.Init.Status = pause ? ShimStatus.Paused : ShimStatus.Running;
        return new ShimResponse();
    }

    private ShimResponse Update(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        string file = Path.Combine(task.Directory, "resources.json");
        File.WriteAllText(file, request.Json ?? "{}");
        (int exitCode, _, string stderr) = task.Runtime.Run("update", "-r", file, task.Record.Id);
        if (exitCode != 0)
        {
            throw new ShimFault(ShimErrorKind.RuntimeFailed, $"{task.Runtime.Runtime} update {task.Record.Id}: exit status {exitCode}: {stderr.Trim()}");
        }

        return new ShimResponse();
    }

    private ShimResponse State(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        ShimProcess process = RequireProcess(task, request.ExecId);
        // The paths name the process's own streams (an exec's differ from the init's), so a host that did
        // not make them can attach (containerd's LoadProcess + cio.NewAttach).
        return new ShimResponse
        {
            Pid = process.Pid,
            Status = process.Status,
            Exit = process.Exit,
            Stdin = process.IO.Stdin,
            Stdout = process.IO.Stdout,
            Stderr = process.IO.Stderr,
            Terminal = process.Terminal,
            Execs = request.ExecId is null && task.Execs.Count > 0 ? [.. task.Execs.Values.Select(ExecIO)] : null,
        };
    }

    private ShimResponse List()
    {
        List<ShimTaskRecord> tasks = [];
        foreach (ShimTask task in _tasks.Values)
        {
            task.Record.Pid = task.Init.Pid;
            task.Record.Status = task.Init.Status;
            tasks.Add(task.Record);
        }

        return new ShimResponse { Tasks = tasks };
    }

    private ShimResponse Shutdown()
    {
        if (_tasks.Count != 0)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"the shim still has {_tasks.Count} task(s)");
        }

        _stopping = true;
        _removeState = true;
        return new ShimResponse();
    }

    private ShimTask RequireTask(ShimRequest request)
    {
        string id = RequireId(request);
        return _tasks.TryGetValue(id, out ShimTask? task) ? task : throw new ShimFault(ShimErrorKind.NotFound, $"task \"{id}\" not found");
    }

    private static ShimProcess RequireProcess(ShimTask task, string? execId)
        => execId is null ? task.Init
            : task.Execs.TryGetValue(execId, out ShimProcess? exec) ? exec
            : throw new ShimFault(ShimErrorKind.NotFound, $"exec \"{execId}\" of task \"{task.Record.Id}\" not found");

    private static string RequireId(ShimRequest request)
    {
        string id = request.Id ?? throw new ShimFault(ShimErrorKind.InvalidArgument, "id: required");
        RequireName(id, "id");
        return id;
    }

    private static void RequireName(string name, string field)
    {
        // Used as a file name and a runtime argument: runc's id alphabet, nothing that walks paths.
        bool valid = name.Length is > 0 and <= 128 && name != "." && name != ".." && name[0] != '-';
        foreach (char c in name)
        {
            valid &= char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '+';
        }

        if (!valid)
        {
            throw new ShimFault(ShimErrorKind.InvalidArgument, $"{field}: \"{name}\" is not a valid identifier");
        }
    }

    private static string Describe(ShimTask task, ShimProcess process)
        => process.ExecId is null ? $"task \"{task.Record.Id}\"" : $"exec \"{process.ExecId}\" of task \"{task.Record.Id}\"";
}
