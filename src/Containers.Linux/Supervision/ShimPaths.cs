namespace Containers.Linux.Supervision;

/// <summary>
/// The layout of one shim's 0700 directory: the socket, the shim's pid and log, the runtime's
/// <c>--root</c>, and one directory per task holding task.json, the exit file and a runtime binary's pid
/// files (the in-process engine reports its pids in memory).
/// </summary>
internal static class ShimPaths
{
    /// <summary>The unix socket of the task API.</summary>
    public static string Socket(string shimDirectory) => Path.Combine(shimDirectory, "shim.sock");

    /// <summary>The shim's pid, written once it serves.</summary>
    public static string PidFile(string shimDirectory) => Path.Combine(shimDirectory, "shim.pid");

    /// <summary>The shim's own stderr.</summary>
    public static string Log(string shimDirectory) => Path.Combine(shimDirectory, "shim.log");

    /// <summary>The runtime's state root (<c>--root</c>).</summary>
    public static string RuntimeRoot(string shimDirectory) => Path.Combine(shimDirectory, "runtime");

    /// <summary>
    /// The console socket a runtime sends a pty master to (runc's <c>--console-socket</c>): there only
    /// while one create or exec runs, so one name serves every task of the shim.
    /// </summary>
    public static string ConsoleSocket(string shimDirectory) => Path.Combine(shimDirectory, "pty.sock");

    /// <summary>The parent of the task directories.</summary>
    public static string Tasks(string shimDirectory) => Path.Combine(shimDirectory, "tasks");

    /// <summary>One task's directory.</summary>
    public static string Task(string shimDirectory, string id) => Path.Combine(Tasks(shimDirectory), id);

    /// <summary>The task's record (<see cref="ShimTaskRecord"/>).</summary>
    public static string TaskRecord(string taskDirectory) => Path.Combine(taskDirectory, "task.json");

    /// <summary>The exit file of the init process (or <c>exit-&lt;execId&gt;.json</c> of an exec'd one).</summary>
    public static string ExitFile(string taskDirectory, string? execId = null)
        => Path.Combine(taskDirectory, execId is null ? "exit.json" : $"exit-{execId}.json");
}
