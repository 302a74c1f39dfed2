namespace Containers.Linux.Supervision;

/// <summary>
/// How the shim drives the OCI runtime of a task: one runtime verb (runc's command line —
/// <c>create --bundle B --pid-file P ID</c>, <c>start ID</c>, <c>kill ID SIG</c>…) run to completion as a
/// synchronous step of the shim's loop. <see cref="RuntimeCommand"/> runs a runc-compatible binary;
/// the runcs shim also has an in-process driver that calls the runcs engine on the shim's own thread,
/// so its containers are the shim's direct children and no runtime process is started per call.
/// Both keep the runtime's state under the same <c>--root</c>, so <c>runcs --root R state ID</c> sees
/// either's containers.
/// </summary>
internal interface IRuntimeDriver
{
    /// <summary>What runs the verbs, for messages and the task record (the binary's path).</summary>
    string Runtime { get; }

    /// <summary><see langword="true"/> when the verbs run inside the shim process.</summary>
    bool InProcess { get; }

    /// <summary>Runs a verb with stdin on /dev/null and both outputs captured.</summary>
    /// <returns>The exit code (as the binary's would be) and the two outputs.</returns>
    (int ExitCode, string Stdout, string Stderr) Run(params string[] arguments);

    /// <summary>
    /// Runs a verb that makes a process (create, exec --detach) with <paramref name="stdio"/> as its
    /// descriptors 0, 1 and 2 (-1: /dev/null): the container process inherits them, and the runtime's
    /// own error message goes to the given stderr, as a runtime binary's would.
    /// </summary>
    /// <returns>The exit code.</returns>
    int RunWithStdio(ReadOnlySpan<int> stdio, params string[] arguments);

    /// <summary>
    /// The pid the last verb run would have written to <paramref name="pidFile"/> (its <c>--pid-file</c>), when the
    /// driver has it without the file — the in-process engine hands it over in memory, so the shim, the file's only
    /// reader, saves the state directory a temp file, a rename and an unlink per process. <see langword="null"/>: the
    /// runtime wrote the file (a runtime binary); read it.
    /// </summary>
    int? TakeReportedPid(string pidFile);
}
