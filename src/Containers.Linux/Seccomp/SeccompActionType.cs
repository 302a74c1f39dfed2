namespace Containers.Linux.Seccomp;

/// <summary>What a seccomp filter does with a syscall (the OCI <c>SCMP_ACT_*</c> actions).</summary>
public enum SeccompActionType
{
    /// <summary><c>SCMP_ACT_KILL</c> / <c>SCMP_ACT_KILL_THREAD</c>: the thread dies with SIGSYS.</summary>
    KillThread,

    /// <summary><c>SCMP_ACT_KILL_PROCESS</c>: the whole process dies with SIGSYS.</summary>
    KillProcess,

    /// <summary><c>SCMP_ACT_TRAP</c>: the thread gets a SIGSYS it may handle.</summary>
    Trap,

    /// <summary><c>SCMP_ACT_ERRNO</c>: the syscall fails with the rule's errno.</summary>
    Errno,

    /// <summary><c>SCMP_ACT_TRACE</c>: a ptrace tracer is notified (ENOSYS without one).</summary>
    Trace,

    /// <summary><c>SCMP_ACT_ALLOW</c>.</summary>
    Allow,

    /// <summary><c>SCMP_ACT_LOG</c>: allowed and logged.</summary>
    Log,

    /// <summary><c>SCMP_ACT_NOTIFY</c>: a user-space agent holding the listener fd decides.</summary>
    Notify,
}
