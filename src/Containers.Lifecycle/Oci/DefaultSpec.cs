using Containers.Oci.Runtime;

namespace Containers.Oci;

/// <summary>
/// containerd's default Linux spec (oci/spec.go <c>populateDefaultUnixSpec</c>): root <c>rootfs</c>,
/// cwd <c>/</c>, uid/gid 0, no_new_privs, containerd's 14 default capabilities in bounding, permitted
/// and effective, RLIMIT_NOFILE 1024, the seven default mounts, its masked and read-only paths, all
/// devices denied in the device cgroup, pid/ipc/uts/mount/network namespaces and the cgroups path
/// <c>/&lt;namespace&gt;/&lt;id&gt;</c>.
/// </summary>
public static class DefaultSpec
{
    /// <summary>The OCI runtime-spec version written into generated specs.</summary>
    public const string OciVersion = "1.2.0";

    /// <summary>containerd's default PATH (oci <c>defaultUnixEnv</c>), used when the image sets no environment.</summary>
    public const string DefaultPathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>containerd's default capabilities (oci <c>defaultUnixCaps</c>), in its order.</summary>
    public static IReadOnlyList<string> Capabilities { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>containerd's masked paths.</summary>
    public static IReadOnlyList<string> MaskedPaths { get; } =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
    ];

    /// <summary>containerd's read-only paths.</summary>
    public static IReadOnlyList<string> ReadonlyPaths { get; } =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>Builds a fresh default spec for a container.</summary>
    /// <param name="context">The container.</param>
    public static Spec Create(SpecContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Spec
        {
            OciVersion = OciVersion,
            Root = new Root { Path = "rootfs" },
            Process = new ProcessSpec
            {
                Cwd = "/",
                NoNewPrivileges = true,
                User = new ProcessUser { Uid = 0, Gid = 0 },
                Capabilities = new LinuxCapabilities
                {
                    Bounding = [.. Capabilities],
                    Permitted = [.. Capabilities],
                    Effective = [.. Capabilities],
                },
                Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 }],
            },
            Mounts = DefaultMounts(),
            Linux = new Runtime.Linux
            {
                MaskedPaths = [.. MaskedPaths],
                ReadonlyPaths = [.. ReadonlyPaths],
                CgroupsPath = $"/{context.Namespace}/{context.ContainerId}",
                Resources = new LinuxResources
                {
                    Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }],
                },
                Namespaces =
                [
                    new LinuxNamespace { Type = "pid" },
                    new LinuxNamespace { Type = "ipc" },
                    new LinuxNamespace { Type = "uts" },
                    new LinuxNamespace { Type = "mount" },
                    new LinuxNamespace { Type = "network" },
                ],
            },
        };
    }

    private static List<Runtime.Mount> DefaultMounts() =>
    [
        new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
        new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
        new() { Destination = "/dev/shm", Type = "tmpfs", Source = "shm", Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
        new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
        new() { Destination = "/run", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    ];
}
