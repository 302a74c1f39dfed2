namespace Containers.Oci.Runtime;

/// <summary>The namespace types of <see cref="LinuxNamespace.Type"/>.</summary>
public static class LinuxNamespaceType
{
    /// <summary>Process ids.</summary>
    public const string Pid = "pid";

    /// <summary>Network devices, stacks and ports.</summary>
    public const string Network = "network";

    /// <summary>Mount points.</summary>
    public const string Mount = "mount";

    /// <summary>System V IPC and POSIX message queues.</summary>
    public const string Ipc = "ipc";

    /// <summary>Hostname and domain name.</summary>
    public const string Uts = "uts";

    /// <summary>User and group ids.</summary>
    public const string User = "user";

    /// <summary>The cgroup root.</summary>
    public const string Cgroup = "cgroup";

    /// <summary>The boot-time and monotonic clocks.</summary>
    public const string Time = "time";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
