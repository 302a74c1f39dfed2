namespace Containers.Oci.Runtime;

/// <summary>The seccomp actions a rule or the default may take.</summary>
public static class SeccompAction
{
    /// <summary>Kill the thread.</summary>
    public const string Kill = "SCMP_ACT_KILL";

    /// <summary>Kill the whole process.</summary>
    public const string KillProcess = "SCMP_ACT_KILL_PROCESS";

    /// <summary>Kill the thread.</summary>
    public const string KillThread = "SCMP_ACT_KILL_THREAD";

    /// <summary>Send SIGSYS.</summary>
    public const string Trap = "SCMP_ACT_TRAP";

    /// <summary>Fail the syscall with an errno.</summary>
    public const string Errno = "SCMP_ACT_ERRNO";

    /// <summary>Notify a ptrace tracer.</summary>
    public const string Trace = "SCMP_ACT_TRACE";

    /// <summary>Allow the syscall.</summary>
    public const string Allow = "SCMP_ACT_ALLOW";

    /// <summary>Allow and log the syscall.</summary>
    public const string Log = "SCMP_ACT_LOG";

    /// <summary>Hand the syscall to a user-space listener.</summary>
    public const string Notify = "SCMP_ACT_NOTIFY";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Kill, KillProcess, KillThread, Trap, Errno, Trace, Allow, Log, Notify];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
