namespace Containers.Linux.Seccomp;

/// <summary>The <c>flags</c> argument of <c>seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)</c>.</summary>
[Flags]
public enum SeccompFilterFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>SECCOMP_FILTER_FLAG_TSYNC</c>: install on every thread of the process.</summary>
    Tsync = 1,

    /// <summary><c>SECCOMP_FILTER_FLAG_LOG</c>: log every action but ALLOW.</summary>
    Log = 2,

    /// <summary><c>SECCOMP_FILTER_FLAG_SPEC_ALLOW</c>: do not force speculative-store-bypass mitigation.</summary>
    SpecAllow = 4,

    /// <summary><c>SECCOMP_FILTER_FLAG_NEW_LISTENER</c>: return a user-notification fd (set when a rule uses NOTIFY).</summary>
    NewListener = 8,

    /// <summary>
    /// <c>SECCOMP_FILTER_FLAG_TSYNC_ESRCH</c>: a TSYNC failure returns ESRCH instead of a thread id, which the
    /// kernel requires when TSYNC is combined with NEW_LISTENER (the compiler adds it then, as libseccomp does).
    /// </summary>
    TsyncEsrch = 16,

    /// <summary><c>SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV</c>: a notified task waits killably.</summary>
    WaitKillableRecv = 32,
}
