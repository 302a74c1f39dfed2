using System.Globalization;
using Containers.Linux.Capabilities;
using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>
/// Turns a config.json <see cref="Spec"/> into a <see cref="SpawnPlan"/>. Every field is either
/// honoured, refused with <see cref="UnsupportedException"/>, or — for fields whose absence cannot
/// weaken isolation below what the caller asked for — reported in the warnings list. Nothing is
/// dropped silently.
/// </summary>
public static class SpawnPlanFactory
{
    private static readonly string[] RlimitOrder =
    [
        PosixRlimitType.Cpu, PosixRlimitType.Fsize, PosixRlimitType.Data, PosixRlimitType.Stack, PosixRlimitType.Core,
        PosixRlimitType.Rss, PosixRlimitType.Nproc, PosixRlimitType.Nofile, PosixRlimitType.Memlock, PosixRlimitType.As,
        PosixRlimitType.Locks, PosixRlimitType.Sigpending, PosixRlimitType.Msgqueue, PosixRlimitType.Nice,
        PosixRlimitType.Rtprio, PosixRlimitType.Rttime,
    ];

    /// <summary>Builds the plan for the container's init process.</summary>
    /// <param name="spec">The parsed config.json.</param>
    /// <param name="bundleDirectory">Absolute bundle path; a relative root.path is resolved against it.</param>
    /// <param name="warnings">Receives one line per field that is accepted but not applied.</param>
    /// <param name="seccompCache">Where compiled seccomp programs are kept; <see langword="null"/> uses one per process.</param>
    /// <exception cref="UnsupportedException">A field runcs cannot honour yet.</exception>
    /// <exception cref="InvalidSpecException">A field is malformed (unknown capability, rlimit, seccomp rule…).</exception>
    public static SpawnPlan Create(Spec spec, string bundleDirectory, ICollection<string> warnings, Seccomp.SeccompProgramCache? seccompCache = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(warnings);
        ProcessSpec process = spec.Process ?? throw new InvalidSpecException("process", "required to run a container");
        Root root = spec.Root ?? throw new InvalidSpecException("root", "required to run a container");
        Oci.Runtime.Linux linux = spec.Linux ?? new Oci.Runtime.Linux();
        RefuseProcessExtras(process);
        RefuseLinuxExtras(linux, warnings);
        // prestart, createRuntime, poststart and poststop run in the runtime's namespaces through HookRunner (the
        // caller's part of the lifecycle); createContainer and startContainer are run by the container's init.
        Report(spec.ExtensionData, string.Empty, warnings);
        ProcessUser user = process.User ?? new ProcessUser { Uid = 0, Gid = 0 };
        if (!string.IsNullOrEmpty(user.Username))
        {
            throw new UnsupportedException("process.user.username: Windows only");
        }

        string rootfs = Path.GetFullPath(root.Path, bundleDirectory);
        List<MountRequest> mounts = [];
        for (int i = 0; i < (spec.Mounts?.Count ?? 0); i++)
        {
            Mount mount = spec.Mounts![i];
            Report(mount.ExtensionData, $"mounts[{i}]", warnings);
            string? source = mount.Source;
            bool isBind = mount.Type == "bind" || (mount.Options?.Any(o => o is "bind" or "rbind") ?? false);
            if (isBind && source is not null && !Path.IsPathRooted(source))
            {
                source = Path.GetFullPath(source, bundleDirectory);
            }

            mounts.Add(new MountRequest(mount.Destination, mount.Type, source, mount.Options?.ToArray() ?? [])
            {
                UidMappings = mount.UidMappings?.Select(m => new IdMapping(m.ContainerId, m.HostId, m.Size)).ToArray(),
                GidMappings = mount.GidMappings?.Select(m => new IdMapping(m.ContainerId, m.HostId, m.Size)).ToArray(),
            });
        }

        (ulong bounding, ulong effective, ulong permitted, ulong inheritable, ulong ambient) = CapabilitySets(process, warnings);

        return new SpawnPlan
        {
            Args = process.Args?.ToArray() ?? throw new InvalidSpecException("process.args", "required"),
            Env = WithHome(process.Env?.ToArray() ?? [], rootfs, user.Uid),
            Cwd = process.Cwd,
            Uid = user.Uid,
            Gid = user.Gid,
            AdditionalGids = user.AdditionalGids?.ToArray() ?? [],
            Umask = user.Umask ?? 0x12,
            NoNewPrivileges = process.NoNewPrivileges ?? false,
            OomScoreAdj = process.OomScoreAdj,
            Sysctls = linux.Sysctl?.ToArray() ?? [],
            CapabilityBounding = bounding,
            CapabilityEffective = effective,
            CapabilityPermitted = permitted,
            CapabilityInheritable = inheritable,
            CapabilityAmbient = ambient,
            Seccomp = SpawnPlanSeccomp.Compile(linux.Seccomp, seccompCache, warnings),
            ResourceLimits = Rlimits(process.Rlimits),
            Namespaces = Namespaces(linux.Namespaces),
            JoinNamespaces = Joins(linux.Namespaces),
            UidMappings = [.. linux.UidMappings?.Select(m => new IdMapping(m.ContainerId, m.HostId, m.Size)) ?? []],
            GidMappings = [.. linux.GidMappings?.Select(m => new IdMapping(m.ContainerId, m.HostId, m.Size)) ?? []],
            Hostname = spec.Hostname,
            Domainname = spec.Domainname,
            RootfsPath = rootfs,
            RootfsReadonly = root.Readonly ?? false,
            RootfsPropagation = linux.RootfsPropagation,
            Mounts = mounts,
            Devices = Devices(linux.Devices),
            MaskedPaths = linux.MaskedPaths?.ToArray() ?? [],
            ReadonlyPaths = linux.ReadonlyPaths?.ToArray() ?? [],
            Terminal = process.Terminal ?? false,
            ConsoleHeight = ConsoleDimension(process, process.ConsoleSize?.Height, "process.consoleSize.height"),
            ConsoleWidth = ConsoleDimension(process, process.ConsoleSize?.Width, "process.consoleSize.width"),
            CreateContainerHooks = spec.Hooks?.CreateContainer?.ToArray() ?? [],
            StartContainerHooks = spec.Hooks?.StartContainer?.ToArray() ?? [],
            NewTimeNamespace = linux.Namespaces?.Any(n => n.Type == LinuxNamespaceType.Time) ?? false,
            TimeOffsets = linux.TimeOffsets?.ToArray() ?? [],
            SecurityLabels = ProcessSecurityLabel.Of(process),
        };
    }

    /// <summary>
    /// Builds the plan of a process exec'd into a running container: <paramref name="process"/> with the
    /// container's seccomp filter (the same compiled program as its init's), and none of the container set-up
    /// (root, mounts, namespaces, names), which the process joins instead.
    /// </summary>
    /// <param name="spec">The container's config.json.</param>
    /// <param name="process">The process to run (runc exec's --process, or the config's process with the command-line overrides).</param>
    /// <param name="bundleDirectory">Absolute bundle path; the rootfs's /etc/passwd gives HOME as for the init.</param>
    /// <param name="warnings">Receives one line per field that is accepted but not applied.</param>
    /// <param name="seccompCache">Where compiled seccomp programs are kept; <see langword="null"/> uses one per process.</param>
    /// <exception cref="UnsupportedException">A field runcs cannot honour yet.</exception>
    /// <exception cref="InvalidSpecException">A field is malformed.</exception>
    public static SpawnPlan CreateExec(Spec spec, ProcessSpec process, string bundleDirectory, ICollection<string> warnings, Seccomp.SeccompProgramCache? seccompCache = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(warnings);
        Root root = spec.Root ?? throw new InvalidSpecException("root", "required to run a container");
        RefuseProcessExtras(process);
        ProcessUser user = process.User ?? new ProcessUser { Uid = 0, Gid = 0 };
        if (!string.IsNullOrEmpty(user.Username))
        {
            throw new UnsupportedException("process.user.username: Windows only");
        }

        (ulong bounding, ulong effective, ulong permitted, ulong inheritable, ulong ambient) = CapabilitySets(process, warnings);

        return new SpawnPlan
        {
            Args = process.Args is { Count: > 0 } args ? [.. args] : throw new InvalidSpecException("process.args", "required"),
            Env = WithHome(process.Env?.ToArray() ?? [], Path.GetFullPath(root.Path, bundleDirectory), user.Uid),
            Cwd = process.Cwd,
            Uid = user.Uid,
            Gid = user.Gid,
            AdditionalGids = user.AdditionalGids?.ToArray() ?? [],
            Umask = user.Umask ?? 0x12,
            NoNewPrivileges = process.NoNewPrivileges ?? false,
            CapabilityBounding = bounding,
            CapabilityEffective = effective,
            CapabilityPermitted = permitted,
            CapabilityInheritable = inheritable,
            CapabilityAmbient = ambient,
            Seccomp = SpawnPlanSeccomp.Compile(spec.Linux?.Seccomp, seccompCache, warnings),
            ResourceLimits = Rlimits(process.Rlimits),
            OomScoreAdj = process.OomScoreAdj,
            Terminal = process.Terminal ?? false,
            ConsoleHeight = ConsoleDimension(process, process.ConsoleSize?.Height, "process.consoleSize.height"),
            ConsoleWidth = ConsoleDimension(process, process.ConsoleSize?.Width, "process.consoleSize.width"),
            SecurityLabels = ProcessSecurityLabel.Of(process),
        };
    }

    private static ushort ConsoleDimension(ProcessSpec process, uint? value, string jsonPath)
        => process.Terminal != true || value is null ? (ushort)0
            : value <= ushort.MaxValue ? (ushort)value.Value
            : throw new InvalidSpecException(jsonPath, $"{value} does not fit a terminal size (at most {ushort.MaxValue})");

    private static bool Any<T>(IList<T>? list) => list is { Count: > 0 };

    /// <summary>As runc: without HOME in the environment, the user's home from the rootfs's /etc/passwd, else "/".</summary>
    private static string[] WithHome(string[] env, string rootfs, uint uid)
    {
        if (env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            return env;
        }

        return [.. env, "HOME=" + (HomeFromPasswd(rootfs, uid) ?? "/")];
    }

    private static string? HomeFromPasswd(string rootfs, uint uid)
    {
        // Read only a plain file at a plain path: a symlinked etc or passwd could point at the host.
        FileInfo passwd = new(Path.Combine(rootfs, "etc", "passwd"));
        DirectoryInfo etc = new(Path.Combine(rootfs, "etc"));
        if (!etc.Exists || etc.LinkTarget is not null || !passwd.Exists || passwd.LinkTarget is not null || passwd.Length > 1 << 20)
        {
            return null;
        }

        string id = uid.ToString(CultureInfo.InvariantCulture);
        foreach (string line in File.ReadLines(passwd.FullName))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 7 && fields[2] == id && fields[5].StartsWith('/'))
            {
                return fields[5];
            }
        }

        return null;
    }

    private static void RefuseProcessExtras(ProcessSpec process)
    {
        if (process.CommandLine is not null)
        {
            throw new UnsupportedException("process.commandLine: Windows only");
        }

        if (process.Scheduler is not null || process.IOPriority is not null || process.ExecCpuAffinity is not null)
        {
            throw new UnsupportedException("process.scheduler, process.ioPriority and process.execCPUAffinity are not supported by runcs yet");
        }
    }

    private static void RefuseLinuxExtras(Oci.Runtime.Linux linux, ICollection<string> warnings)
    {
        bool userNamespace = linux.Namespaces?.Any(n => n.Type == LinuxNamespaceType.User && string.IsNullOrEmpty(n.Path)) ?? false;
        if ((Any(linux.UidMappings) || Any(linux.GidMappings)) && (linux.Namespaces?.Any(n => n.Type == LinuxNamespaceType.User && !string.IsNullOrEmpty(n.Path)) ?? false))
        {
            throw new InvalidSpecException("linux.uidMappings", "a joined user namespace keeps its own mappings; give mappings only with a new user namespace");
        }

        if ((Any(linux.UidMappings) || Any(linux.GidMappings)) && !userNamespace)
        {
            throw new InvalidSpecException("linux.uidMappings", "id mappings need a user namespace in linux.namespaces");
        }

        if (userNamespace && (!Any(linux.UidMappings) || !Any(linux.GidMappings)))
        {
            throw new InvalidSpecException("linux.uidMappings", "a new user namespace needs uidMappings and gidMappings");
        }

        if (linux.TimeOffsets is { Count: > 0 } && !(linux.Namespaces?.Any(n => n.Type == LinuxNamespaceType.Time) ?? false))
        {
            throw new InvalidSpecException("linux.timeOffsets", "time offsets need a time namespace in linux.namespaces");
        }

        if (!string.IsNullOrEmpty(linux.MountLabel))
        {
            throw new UnsupportedException("linux.mountLabel: SELinux mount labels are not supported by runcs (process.selinuxLabel is, on hosts with SELinux)");
        }

        if (linux.IntelRdt is not null || linux.Personality is not null)
        {
            throw new UnsupportedException("linux.intelRdt and linux.personality are not supported by runcs yet");
        }

        Report(linux.ExtensionData, "linux", warnings);
    }

    /// <summary>A time namespace is not a clone flag: the child unshares it (see <see cref="SpawnPlan.NewTimeNamespace"/>).</summary>
    private static ContainerNamespaces TimeNamespaceSupported(int index)
        => File.Exists("/proc/self/ns/time") ? ContainerNamespaces.None
            : throw new UnsupportedException($"linux.namespaces[{index}]: this kernel has no time namespaces (Linux 5.6 or later with CONFIG_TIME_NS)");

    private static void Report(IDictionary<string, System.Text.Json.JsonElement>? extension, string prefix, ICollection<string> warnings)
    {
        if (extension is null)
        {
            return;
        }

        foreach (string key in extension.Keys)
        {
            warnings.Add($"{(prefix.Length == 0 ? key : prefix + "." + key)}: unknown field, ignored");
        }
    }

    private static ContainerNamespaces Namespaces(IList<LinuxNamespace>? namespaces)
    {
        ContainerNamespaces result = ContainerNamespaces.None;
        for (int i = 0; i < (namespaces?.Count ?? 0); i++)
        {
            LinuxNamespace ns = namespaces![i];
            ContainerNamespaces type = ns.Type switch
            {
                LinuxNamespaceType.Mount => ContainerNamespaces.Mount,
                LinuxNamespaceType.Uts => ContainerNamespaces.Uts,
                LinuxNamespaceType.Ipc => ContainerNamespaces.Ipc,
                LinuxNamespaceType.Pid => ContainerNamespaces.Pid,
                LinuxNamespaceType.Network => ContainerNamespaces.Network,
                LinuxNamespaceType.Cgroup => ContainerNamespaces.Cgroup,
                LinuxNamespaceType.User => ContainerNamespaces.User,
                LinuxNamespaceType.Time => TimeNamespaceSupported(i),
                _ => throw new InvalidSpecException($"linux.namespaces[{i}].type", $"unknown namespace type \"{ns.Type}\""),
            };
            if (string.IsNullOrEmpty(ns.Path))
            {
                result |= type;
            }
        }

        return result;
    }

    /// <summary>
    /// linux.namespaces entries with a path: joined by the child (setns, user first) before it sets anything up,
    /// as runc's nsexec does; a joined mount namespace gets the container's root set up inside it (runc and crun
    /// do the same: its "/" is made rslave, the rootfs bound and pivoted to, for every process sharing it). A
    /// joined user or pid namespace, or any joined next to a new user namespace, takes the two-step clone exec
    /// uses (join with the host's capabilities, then clone the new ones). A joined mount namespace next to a new
    /// user namespace is refused: it belongs to another user namespace, so the container could mount nothing in it
    /// (runc fails at its first mount).
    /// </summary>
    private static NamespaceJoin[] Joins(IList<LinuxNamespace>? namespaces)
    {
        List<NamespaceJoin> joins = [];
        bool newUser = false;
        for (int i = 0; i < (namespaces?.Count ?? 0); i++)
        {
            LinuxNamespace ns = namespaces![i];
            string jsonPath = $"linux.namespaces[{i}].path";
            if (string.IsNullOrEmpty(ns.Path))
            {
                newUser |= ns.Type == LinuxNamespaceType.User;
                continue;
            }

            if (!Path.IsPathFullyQualified(ns.Path))
            {
                throw new InvalidSpecException(jsonPath, $"\"{ns.Path}\" must be an absolute path");
            }

            joins.Add(new NamespaceJoin(
                ns.Type switch
                {
                    LinuxNamespaceType.Mount => ContainerNamespaces.Mount,
                    LinuxNamespaceType.Uts => ContainerNamespaces.Uts,
                    LinuxNamespaceType.Ipc => ContainerNamespaces.Ipc,
                    LinuxNamespaceType.Network => ContainerNamespaces.Network,
                    LinuxNamespaceType.Cgroup => ContainerNamespaces.Cgroup,
                    LinuxNamespaceType.User => ContainerNamespaces.User,
                    LinuxNamespaceType.Pid => ContainerNamespaces.Pid,
                    _ => throw new UnsupportedException($"{jsonPath}: joining an existing {ns.Type} namespace when creating a container is not supported by runcs yet (user, pid, mount, uts, ipc, network and cgroup are)"),
                },
                ns.Path,
                jsonPath));
        }

        if (newUser && joins.FirstOrDefault(j => j.Type == ContainerNamespaces.Mount) is { } mount)
        {
            throw new InvalidSpecException(mount.JsonPath, "a joined mount namespace belongs to another user namespace than the container's new one, which could not mount in it; join the user namespace that owns it instead");
        }

        return [.. joins];
    }

    /// <summary>The five capability sets of process.capabilities as masks.</summary>
    private static (ulong Bounding, ulong Effective, ulong Permitted, ulong Inheritable, ulong Ambient) CapabilitySets(ProcessSpec process, ICollection<string> warnings)
    {
        int lastCap = KernelCapabilities.LastCapability();
        LinuxCapabilities caps = process.Capabilities ?? new LinuxCapabilities();
        ulong ambient = CapabilityMask(caps.Ambient, "process.capabilities.ambient", lastCap, warnings);
        ulong inheritable = CapabilityMask(caps.Inheritable, "process.capabilities.inheritable", lastCap, warnings);
        ulong permitted = CapabilityMask(caps.Permitted, "process.capabilities.permitted", lastCap, warnings);
        if ((ambient & ~(inheritable & permitted)) != 0)
        {
            // The kernel refuses an ambient capability that is not both permitted and inheritable;
            // runc drops those without a word (its default spec asks for them). runcs says so.
            warnings.Add("process.capabilities.ambient: capabilities that are not also permitted and inheritable cannot be ambient, not raised");
            ambient &= inheritable & permitted;
        }

        return (
            CapabilityMask(caps.Bounding, "process.capabilities.bounding", lastCap, warnings),
            CapabilityMask(caps.Effective, "process.capabilities.effective", lastCap, warnings),
            permitted,
            inheritable,
            ambient);
    }

    private static ulong CapabilityMask(IList<string>? names, string jsonPath, int lastCap, ICollection<string> warnings)
    {
        ulong mask = 0;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            string name = names![i];
            int bit = LinuxCapability.All.ToList().IndexOf(name);
            if (bit < 0)
            {
                throw new InvalidSpecException($"{jsonPath}[{i}]", $"unknown capability \"{name}\"");
            }

            if (bit > lastCap)
            {
                // As runc: a capability this kernel does not know cannot be granted; say so.
                warnings.Add($"{jsonPath}[{i}]: {name} is not known to this kernel, ignored");
                continue;
            }

            mask |= 1UL << bit;
        }

        return mask;
    }

    private static ResourceLimit[] Rlimits(IList<PosixRlimit>? rlimits)
    {
        List<ResourceLimit> result = [];
        for (int i = 0; i < (rlimits?.Count ?? 0); i++)
        {
            PosixRlimit limit = rlimits![i];
            int resource = Array.IndexOf(RlimitOrder, limit.Type);
            if (resource < 0)
            {
                throw new InvalidSpecException($"process.rlimits[{i}].type", $"unknown rlimit \"{limit.Type}\"");
            }

            result.Add(new ResourceLimit(resource, limit.Soft, limit.Hard));
        }

        return [.. result];
    }

    private static DeviceNode[] Devices(IList<LinuxDevice>? devices)
    {
        List<DeviceNode> result = [];
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            LinuxDevice device = devices![i];
            if (device.Type.Length != 1)
            {
                throw new InvalidSpecException($"linux.devices[{i}].type", $"unknown device type \"{device.Type}\"");
            }

            result.Add(new DeviceNode(
                device.Path,
                device.Type[0],
                (uint)(device.Major ?? 0),
                (uint)(device.Minor ?? 0),
                device.FileMode ?? 0x1B6,
                device.Uid ?? 0,
                device.Gid ?? 0));
        }

        return [.. result];
    }
}
