namespace Containers.Oci.Runtime;

/// <summary>The Linux capability names (capabilities(7)) a spec may use.</summary>
/// <remarks><see cref="All"/> is ordered by capability number, so its index is the bit number.</remarks>
public static class LinuxCapability
{
    /// <summary>Capability number 0.</summary>
    public const string Chown = "CAP_CHOWN";

    /// <summary>Capability number 1.</summary>
    public const string DacOverride = "CAP_DAC_OVERRIDE";

    /// <summary>Capability number 2.</summary>
    public const string DacReadSearch = "CAP_DAC_READ_SEARCH";

    /// <summary>Capability number 3.</summary>
    public const string Fowner = "CAP_FOWNER";

    /// <summary>Capability number 4.</summary>
    public const string Fsetid = "CAP_FSETID";

    /// <summary>Capability number 5.</summary>
    public const string Kill = "CAP_KILL";

    /// <summary>Capability number 6.</summary>
    public const string Setgid = "CAP_SETGID";

    /// <summary>Capability number 7.</summary>
    public const string Setuid = "CAP_SETUID";

    /// <summary>Capability number 8.</summary>
    public const string Setpcap = "CAP_SETPCAP";

    /// <summary>Capability number 9.</summary>
    public const string LinuxImmutable = "CAP_LINUX_IMMUTABLE";

    /// <summary>Capability number 10.</summary>
    public const string NetBindService = "CAP_NET_BIND_SERVICE";

    /// <summary>Capability number 11.</summary>
    public const string NetBroadcast = "CAP_NET_BROADCAST";

    /// <summary>Capability number 12.</summary>
    public const string NetAdmin = "CAP_NET_ADMIN";

    /// <summary>Capability number 13.</summary>
    public const string NetRaw = "CAP_NET_RAW";

    /// <summary>Capability number 14.</summary>
    public const string IpcLock = "CAP_IPC_LOCK";

    /// <summary>Capability number 15.</summary>
    public const string IpcOwner = "CAP_IPC_OWNER";

    /// <summary>Capability number 16.</summary>
    public const string SysModule = "CAP_SYS_MODULE";

    /// <summary>Capability number 17.</summary>
    public const string SysRawio = "CAP_SYS_RAWIO";

    /// <summary>Capability number 18.</summary>
    public const string SysChroot = "CAP_SYS_CHROOT";

    /// <summary>Capability number 19.</summary>
    public const string SysPtrace = "CAP_SYS_PTRACE";

    /// <summary>Capability number 20.</summary>
    public const string SysPacct = "CAP_SYS_PACCT";

    /// <summary>Capability number 21.</summary>
    public const string SysAdmin = "CAP_SYS_ADMIN";

    /// <summary>Capability number 22.</summary>
    public const string SysBoot = "CAP_SYS_BOOT";

    /// <summary>Capability number 23.</summary>
    public const string SysNice = "CAP_SYS_NICE";

    /// <summary>Capability number 24.</summary>
    public const string SysResource = "CAP_SYS_RESOURCE";

    /// <summary>Capability number 25.</summary>
    public const string SysTime = "CAP_SYS_TIME";

    /// <summary>Capability number 26.</summary>
    public const string SysTtyConfig = "CAP_SYS_TTY_CONFIG";

    /// <summary>Capability number 27.</summary>
    public const string Mknod = "CAP_MKNOD";

    /// <summary>Capability number 28.</summary>
    public const string Lease = "CAP_LEASE";

    /// <summary>Capability number 29.</summary>
    public const string AuditWrite = "CAP_AUDIT_WRITE";

    /// <summary>Capability number 30.</summary>
    public const string AuditControl = "CAP_AUDIT_CONTROL";

    /// <summary>Capability number 31.</summary>
    public const string Setfcap = "CAP_SETFCAP";

    /// <summary>Capability number 32.</summary>
    public const string MacOverride = "CAP_MAC_OVERRIDE";

    /// <summary>Capability number 33.</summary>
    public const string MacAdmin = "CAP_MAC_ADMIN";

    /// <summary>Capability number 34.</summary>
    public const string Syslog = "CAP_SYSLOG";

    /// <summary>Capability number 35.</summary>
    public const string WakeAlarm = "CAP_WAKE_ALARM";

    /// <summary>Capability number 36.</summary>
    public const string BlockSuspend = "CAP_BLOCK_SUSPEND";

    /// <summary>Capability number 37.</summary>
    public const string AuditRead = "CAP_AUDIT_READ";

    /// <summary>Capability number 38.</summary>
    public const string Perfmon = "CAP_PERFMON";

    /// <summary>Capability number 39.</summary>
    public const string Bpf = "CAP_BPF";

    /// <summary>Capability number 40.</summary>
    public const string CheckpointRestore = "CAP_CHECKPOINT_RESTORE";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Chown, DacOverride, DacReadSearch, Fowner, Fsetid, Kill, Setgid, Setuid, Setpcap, LinuxImmutable, NetBindService, NetBroadcast, NetAdmin, NetRaw, IpcLock, IpcOwner, SysModule, SysRawio, SysChroot, SysPtrace, SysPacct, SysAdmin, SysBoot, SysNice, SysResource, SysTime, SysTtyConfig, Mknod, Lease, AuditWrite, AuditControl, Setfcap, MacOverride, MacAdmin, Syslog, WakeAlarm, BlockSuspend, AuditRead, Perfmon, Bpf, CheckpointRestore];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
