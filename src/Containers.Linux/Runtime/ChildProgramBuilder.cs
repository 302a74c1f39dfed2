using System.Runtime.InteropServices;
using Containers.Linux.Capabilities;
using Containers.Linux.Mounts;

namespace Containers.Linux.Runtime;

/// <summary>
/// Compiles a <see cref="SpawnPlan"/> into a <see cref="ChildProgram"/> in unmanaged memory. All
/// validation, option decoding, path normalisation and host look-ups happen here, in the parent,
/// so the child only executes.
/// </summary>
internal static unsafe partial class ChildProgramBuilder
{
    private const uint S_IFCHR = 0x2000;
    private const uint S_IFBLK = 0x6000;
    private const uint S_IFIFO = 0x1000;

    /// <summary>Builds the program; the pipe fds are filled in by the caller per attempt.</summary>
    /// <exception cref="InvalidSpecException">The plan is contradictory or malformed.</exception>
    /// <exception cref="UnsupportedException">The plan asks for something runcs does not do yet.</exception>
    public static ChildProgram* Build(SpawnPlan plan, NativeArena arena)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Args.Count == 0)
        {
            throw new InvalidSpecException("process.args", "must name a program");
        }

        ChildProgram* p = arena.Allocate<ChildProgram>(1);
        SetSyscalls(p);
        p->CloneFlags = CloneFlagsOf(plan.Namespaces);
        p->UnshareCgroup = (plan.Namespaces & ContainerNamespaces.Cgroup) != 0 ? 1 : 0;

        p->Empty = arena.String(string.Empty, string.Empty);
        p->Slash = arena.String("/", string.Empty);
        p->Dot = arena.String(".", string.Empty);
        p->DevNull = arena.String("/dev/null", string.Empty);
        p->ProcSelfFd = arena.String("/proc/self/fd/", string.Empty);
        p->Tmpfs = arena.String("tmpfs", string.Empty);
        p->DevDirectory = arena.String("dev", string.Empty);
        p->Scratch1 = (byte*)arena.Allocate(ChildProgram.ScratchSize);
        p->Scratch2 = (byte*)arena.Allocate(ChildProgram.ScratchSize);
        p->Zeroes = (byte*)arena.Allocate(32);

        if (plan.RootfsPath is not null)
        {
            BuildRootfs(plan, arena, p);
        }
        else if (plan.Mounts.Count > 0 || plan.MaskedPaths.Count > 0 || plan.ReadonlyPaths.Count > 0 || plan.RootfsReadonly)
        {
            throw new InvalidSpecException("root.path", "mounts, masked and read-only paths need a root filesystem");
        }

        if (plan.Hostname is not null || plan.Domainname is not null)
        {
            if ((plan.Namespaces & ContainerNamespaces.Uts) == 0)
            {
                throw new InvalidSpecException(plan.Hostname is not null ? "hostname" : "domainname", "requires a new uts namespace");
            }

            if (plan.Hostname is not null)
            {
                p->Hostname = arena.String(plan.Hostname, "hostname");
                p->HostnameLength = System.Text.Encoding.UTF8.GetByteCount(plan.Hostname);
            }

            if (plan.Domainname is not null)
            {
                p->Domainname = arena.String(plan.Domainname, "domainname");
                p->DomainnameLength = System.Text.Encoding.UTF8.GetByteCount(plan.Domainname);
            }
        }

        p->ResourceLimits = arena.Allocate<ChildResourceLimit>(plan.ResourceLimits.Count);
        p->ResourceLimitCount = plan.ResourceLimits.Count;
        for (int i = 0; i < plan.ResourceLimits.Count; i++)
        {
            ResourceLimit limit = plan.ResourceLimits[i];
            p->ResourceLimits[i] = new ChildResourceLimit { Resource = limit.Resource, Soft = limit.Soft, Hard = limit.Hard };
        }

        p->NoNewPrivileges = plan.NoNewPrivileges ? 1 : 0;
        p->LastCapability = KernelCapabilities.LastCapability();
        p->CapBounding = plan.CapabilityBounding;
        p->CapEffective = plan.CapabilityEffective;
        p->CapPermitted = plan.CapabilityPermitted;
        p->CapInheritable = plan.CapabilityInheritable;
        p->CapAmbient = plan.CapabilityAmbient;
        p->Seccomp = ChildSeccompBuilder.Build(plan, arena);
        p->Uid = plan.Uid;
        p->Gid = plan.Gid;
        p->Groups = arena.Allocate<uint>(plan.AdditionalGids.Count);
        p->GroupCount = plan.AdditionalGids.Count;
        for (int i = 0; i < plan.AdditionalGids.Count; i++)
        {
            p->Groups[i] = plan.AdditionalGids[i];
        }

        p->Umask = plan.Umask;
        if (!plan.Cwd.StartsWith('/'))
        {
            throw new InvalidSpecException("process.cwd", "must be an absolute path");
        }

        p->Cwd = arena.String(plan.Cwd, "process.cwd");
        p->Argv = arena.StringArray(plan.Args, "process.args");
        p->Envp = arena.StringArray(plan.Env, "process.env");
        string? path = null;
        foreach (string variable in plan.Env)
        {
            if (variable.StartsWith("PATH=", StringComparison.Ordinal))
            {
                path = variable[5..];
            }
        }

        p->SearchPath = path is null ? null : arena.String(path, "process.env");
        p->ExecFifo = plan.ExecFifoPath is null ? null : arena.String(plan.ExecFifoPath, "execFifo");
        if (plan.PreserveFds < 0)
        {
            throw new InvalidSpecException("preserveFds", "must not be negative");
        }

        p->PreserveFds = plan.PreserveFds;
        BuildConsole(plan, arena, p);
        p->StdinFd = plan.StdinFd;
        p->StdoutFd = plan.StdoutFd;
        p->StderrFd = plan.StderrFd;
        if (plan.SecurityLabels.Count > 0)
        {
            p->SecurityLabelPaths = arena.StringArray([.. plan.SecurityLabels.Select(l => l.AttributePath)], "securityLabel");
            p->SecurityLabelValues = arena.StringArray([.. plan.SecurityLabels.Select(l => l.Value)], plan.SecurityLabels[0].Field);
            p->SecurityLabelCount = plan.SecurityLabels.Count;
        }
        if (plan.ExecPath is not null && !plan.ExecPath.StartsWith('/'))
        {
            throw new InvalidSpecException("path", $"\"{plan.ExecPath}\" must be an absolute path");
        }

        p->ExecPath = plan.ExecPath is null ? null : arena.String(plan.ExecPath, "path");
        BuildLifecycleExtras(plan, arena, p);
        return p;
    }

    /// <summary>Resolves the raw syscall entry, errno location and syscall numbers the child calls through.</summary>
    internal static void SetSyscalls(ChildProgram* p)
    {
        nint libc = NativeLibrary.Load("libc.so.6");
        p->Syscall = (delegate* unmanaged[SuppressGCTransition]<long, long, long, long, long, long, long, long>)NativeLibrary.GetExport(libc, "syscall");
        p->ErrnoLocation = (delegate* unmanaged[SuppressGCTransition]<int*>)NativeLibrary.GetExport(libc, "__errno_location");
        p->Nr = Interop.SyscallTable.ForCurrentArchitecture();
    }

    private static void BuildConsole(SpawnPlan plan, NativeArena arena, ChildProgram* p)
    {
        // The spawner connects the socket and fills in the fd just before the clone.
        p->ConsoleSocket = -1;
        if (!plan.Terminal)
        {
            if (plan.ConsoleSocketPath is not null)
            {
                throw new InvalidSpecException("process.terminal", "a console socket is given but process.terminal is false");
            }

            return;
        }

        if (plan.ConsoleSocketPath is null)
        {
            throw new InvalidSpecException("process.terminal", "a terminal needs a console socket to send the pty master to");
        }

        p->Ptmx = arena.String("/dev/ptmx", string.Empty);
        p->DevConsole = arena.String("dev/console", string.Empty);
        p->ConsoleRows = plan.ConsoleHeight;
        p->ConsoleColumns = plan.ConsoleWidth;
    }

    private static ulong CloneFlagsOf(ContainerNamespaces namespaces)
    {
        ulong flags = 0;
        if ((namespaces & ContainerNamespaces.Mount) != 0)
        {
            flags |= Interop.CLONE_NEWNS;
        }

        if ((namespaces & ContainerNamespaces.Uts) != 0)
        {
            flags |= Interop.CLONE_NEWUTS;
        }

        if ((namespaces & ContainerNamespaces.Ipc) != 0)
        {
            flags |= Interop.CLONE_NEWIPC;
        }

        if ((namespaces & ContainerNamespaces.Pid) != 0)
        {
            flags |= Interop.CLONE_NEWPID;
        }

        if ((namespaces & ContainerNamespaces.Network) != 0)
        {
            flags |= Interop.CLONE_NEWNET;
        }

        if ((namespaces & ContainerNamespaces.User) != 0)
        {
            flags |= Interop.CLONE_NEWUSER;
        }

        return flags;
    }

    private static void BuildRootfs(SpawnPlan plan, NativeArena arena, ChildProgram* p)
    {
        string rootfs = plan.RootfsPath!;
        if (!Path.IsPathFullyQualified(rootfs))
        {
            throw new InvalidSpecException("root.path", "must be an absolute host path");
        }

        if ((plan.Namespaces & ContainerNamespaces.Mount) == 0 && !plan.JoinNamespaces.Any(j => j.Type == ContainerNamespaces.Mount))
        {
            throw new InvalidSpecException("linux.namespaces", "a root filesystem needs a mount namespace, new or joined");
        }

        if (!Directory.Exists(rootfs))
        {
            throw new InvalidSpecException("root.path", $"{rootfs} is not a directory");
        }

        p->SetUpRootfs = 1;
        p->Rootfs = arena.String(Path.TrimEndingDirectorySeparator(rootfs), "root.path");
        p->RootReadonly = plan.RootfsReadonly ? 1 : 0;
        p->RootPropagation = plan.RootfsPropagation switch
        {
            null or "" or "rslave" => Interop.MS_SLAVE | Interop.MS_REC,
            "slave" => Interop.MS_SLAVE,
            "private" => Interop.MS_PRIVATE,
            "rprivate" => Interop.MS_PRIVATE | Interop.MS_REC,
            _ => throw new UnsupportedException($"linux.rootfsPropagation: \"{plan.RootfsPropagation}\" is not supported by runcs yet (slave, rslave, private, rprivate are)"),
        };

        bool devIsBound = false;
        p->Mounts = arena.Allocate<ChildMount>(plan.Mounts.Count);
        p->MountCount = plan.Mounts.Count;
        for (int i = 0; i < plan.Mounts.Count; i++)
        {
            string jsonPath = $"mounts[{i}]";
            MountRequest request = plan.Mounts[i];
            string target = RelativeTarget(request.Destination, jsonPath + ".destination");
            MountOptions options = MountOptions.Parse(request.Options, jsonPath + ".options");
            ChildMount* m = p->Mounts + i;
            m->Target = arena.String(target, jsonPath + ".destination");
            m->Propagation = options.Propagation;
            m->RecAttrSet = options.RecursiveSet;
            m->RecAttrClr = options.RecursiveClear;
            if (request.Kind == MountRequestKind.Symlink)
            {
                int slash = target.LastIndexOf('/');
                m->Kind = 2;
                m->Target = arena.String(slash < 0 ? "." : target[..slash], jsonPath + ".destination");
                m->Data = arena.String(target[(slash + 1)..], jsonPath + ".destination");
                m->Source = arena.String(request.Source ?? throw new InvalidSpecException(jsonPath + ".source", "a symlink needs a target"), jsonPath + ".source");
                continue;
            }

            if (request.Kind == MountRequestKind.Remount)
            {
                (m->AttrSet, m->AttrClr) = options.BindAttributes(jsonPath + ".options");
                m->Kind = 1;
                continue;
            }

            bool isBind = options.IsBind || request.Type == "bind";
            if (isBind)
            {
                string source = request.Source ?? throw new InvalidSpecException(jsonPath + ".source", "a bind mount needs a source");
                if (!Path.IsPathRooted(source))
                {
                    throw new InvalidSpecException(jsonPath + ".source", "a bind mount source must be an absolute host path");
                }

                if (Directory.Exists(source))
                {
                    m->TargetIsFile = 0;
                }
                else if (File.Exists(source))
                {
                    m->TargetIsFile = 1;
                }
                else
                {
                    throw new InvalidSpecException(jsonPath + ".source", $"{source} does not exist");
                }

                (ulong set, ulong clear) = options.BindAttributes(jsonPath + ".options");
                m->IsBind = 1;
                m->Source = arena.String(source, jsonPath + ".source");
                m->Flags = Interop.MS_BIND | (options.Flags & Interop.MS_REC);
                m->AttrSet = set;
                m->AttrClr = clear;
                devIsBound |= target == "dev";
                if (IsIdMapped(request, options))
                {
                    // IdMappedMounts makes the detached, id-mapped copy of the source; the child moves it in.
                    IdMappedMounts.MappingsOf(plan, request, jsonPath);
                    m->Kind = 3;
                    m->MountFd = -1;
                }
            }
            else
            {
                if (IsIdMapped(request, options))
                {
                    throw new InvalidSpecException(jsonPath + ".uidMappings", "id-mapped mounts (uidMappings, gidMappings, idmap, ridmap) apply to bind mounts only");
                }

                string type = request.Type ?? throw new InvalidSpecException(jsonPath + ".type", "required for a mount that is not a bind mount");
                if (type is "cgroup" or "cgroup2")
                {
                    throw new UnsupportedException($"{jsonPath}: a {type} mount needs the container's cgroup; expand it with CgroupMounts.Expand before spawning");
                }

                if (options.CopyUp)
                {
                    if (type != "tmpfs")
                    {
                        throw new UnsupportedException($"{jsonPath}.options: tmpcopyup applies to tmpfs mounts only, not {type}");
                    }

                    // The spawner mounts the tmpfs detached and copies the directory into it (TmpfsCopyUp); the
                    // child moves it in and applies the flags as attributes, so it can be filled before a "ro".
                    (m->AttrSet, m->AttrClr) = options.BindAttributes(jsonPath + ".options");
                    m->Kind = 3;
                    m->MountFd = -1;
                }

                m->FsType = arena.String(type, jsonPath + ".type");
                m->Source = arena.String(request.Source ?? type, jsonPath + ".source");
                m->Data = options.Data is null ? null : arena.String(options.Data, jsonPath + ".options");
                m->Flags = options.Flags;
                if (type is "proc" or "sysfs" || target == "dev")
                {
                    m->Resolve = Interop.RESOLVE_NO_SYMLINKS;
                }
            }
        }

        if (!devIsBound)
        {
            List<DeviceNode> devices = [.. DeviceNode.Defaults];
            foreach (DeviceNode device in plan.Devices)
            {
                devices.RemoveAll(d => d.Path == device.Path);
                devices.Add(device);
            }

            p->Devices = arena.Allocate<ChildDevice>(devices.Count);
            p->DeviceCount = devices.Count;
            for (int i = 0; i < devices.Count; i++)
            {
                DeviceNode device = devices[i];
                string jsonPath = $"linux.devices[{i}]";
                string relative = RelativeTarget(device.Path, jsonPath + ".path");
                int slash = relative.LastIndexOf('/');
                if (slash < 0)
                {
                    throw new InvalidSpecException(jsonPath + ".path", "a device must not replace a top-level directory");
                }

                ChildDevice* d = p->Devices + i;
                d->Directory = arena.String(relative[..slash], jsonPath + ".path");
                d->Name = arena.String(relative[(slash + 1)..], jsonPath + ".path");
                d->Mode = DeviceType(device.Type, jsonPath) | (device.FileMode & 0xFFF);
                d->Device = (device.Minor & 0xFF) | ((device.Major & 0xFFF) << 8) | ((device.Minor & ~0xFFu) << 12);
                if ((plan.Namespaces & ContainerNamespaces.User) != 0 || plan.JoinNamespaces.Any(j => j.Type == ContainerNamespaces.User))
                {
                    if (!File.Exists(device.Path))
                    {
                        throw new InvalidSpecException(jsonPath + ".path", $"in a user namespace devices are bind-mounted from the host, and the host has no {device.Path}");
                    }

                    d->HostPath = arena.String(device.Path, jsonPath + ".path");
                }

                d->Uid = device.Uid;
                d->Gid = device.Gid;
            }

            List<(string Target, string Name, bool Replace)> links =
            [
                ("/proc/self/fd", "fd", false),
                ("/proc/self/fd/0", "stdin", false),
                ("/proc/self/fd/1", "stdout", false),
                ("/proc/self/fd/2", "stderr", false),
                ("pts/ptmx", "ptmx", true),
            ];
            if (File.Exists("/proc/kcore"))
            {
                links.Add(("/proc/kcore", "core", false));
            }

            p->DevSymlinks = arena.Allocate<ChildSymlink>(links.Count);
            p->DevSymlinkCount = links.Count;
            for (int i = 0; i < links.Count; i++)
            {
                p->DevSymlinks[i].Target = arena.String(links[i].Target, string.Empty);
                p->DevSymlinks[i].Name = arena.String(links[i].Name, string.Empty);
                p->DevSymlinks[i].Replace = links[i].Replace ? 1 : 0;
            }
        }

        p->SysctlPaths = arena.StringArray([.. plan.Sysctls.Select(s => "/proc/sys/" + SysctlPath(s.Key, plan.Namespaces))], "linux.sysctl");
        p->SysctlValues = arena.StringArray([.. plan.Sysctls.Select(s => s.Value)], "linux.sysctl");
        p->SysctlCount = plan.Sysctls.Count;
        p->MaskedPaths = ContainerPaths(plan.MaskedPaths, arena, "linux.maskedPaths");
        p->MaskedPathCount = plan.MaskedPaths.Count;
        p->ReadonlyPaths = ContainerPaths(plan.ReadonlyPaths, arena, "linux.readonlyPaths");
        p->ReadonlyPathCount = plan.ReadonlyPaths.Count;
    }

    private static bool IsIdMapped(MountRequest request, MountOptions options)
        => options.IdMap || request.UidMappings is { Count: > 0 } || request.GidMappings is { Count: > 0 };

    /// <summary>
    /// The /proc/sys path of a sysctl, allowed only when the container's own namespace scopes it
    /// (runc's rule): IPC sysctls with an ipc namespace, net.* with a network namespace, the UTS
    /// names with a uts namespace. Anything else would change the host.
    /// </summary>
    /// <exception cref="InvalidSpecException">The sysctl is not namespaced by the container.</exception>
    internal static string SysctlPath(string key, ContainerNamespaces namespaces)
    {
        string jsonPath = $"linux.sysctl.{key}";
        if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal) || key.Split('.').Any(part => part.Length == 0))
        {
            throw new InvalidSpecException(jsonPath, "not a sysctl name");
        }

        bool ipc = key is "kernel.msgmax" or "kernel.msgmnb" or "kernel.msgmni" or "kernel.sem" or "kernel.shmall"
            or "kernel.shmmax" or "kernel.shmmni" or "kernel.shm_rmid_forced" || key.StartsWith("fs.mqueue.", StringComparison.Ordinal);
        bool allowed = (ipc && (namespaces & ContainerNamespaces.Ipc) != 0)
            || (key.StartsWith("net.", StringComparison.Ordinal) && (namespaces & ContainerNamespaces.Network) != 0)
            || (key is "kernel.hostname" or "kernel.domainname" && (namespaces & ContainerNamespaces.Uts) != 0);
        if (!allowed)
        {
            throw new InvalidSpecException(jsonPath, "not namespaced by the container's namespaces; it would change the host");
        }

        return key.Replace('.', '/');
    }

    private static byte** ContainerPaths(IReadOnlyList<string> paths, NativeArena arena, string jsonPath)
    {
        List<string> absolute = new(paths.Count);
        for (int i = 0; i < paths.Count; i++)
        {
            absolute.Add("/" + RelativeTarget(paths[i], $"{jsonPath}[{i}]"));
        }

        return arena.StringArray(absolute, jsonPath);
    }

    private static uint DeviceType(char type, string jsonPath) => type switch
    {
        'c' or 'u' => S_IFCHR,
        'b' => S_IFBLK,
        'p' => S_IFIFO,
        _ => throw new InvalidSpecException(jsonPath + ".type", $"unknown device type '{type}'"),
    };

    /// <summary>
    /// Cleans an absolute container path lexically (".." cannot climb above "/") and returns it
    /// without the leading slash; the child then resolves it with RESOLVE_IN_ROOT.
    /// </summary>
    /// <exception cref="InvalidSpecException">The path is relative, or names the root itself.</exception>
    internal static string RelativeTarget(string path, string jsonPath)
    {
        if (!path.StartsWith('/'))
        {
            throw new InvalidSpecException(jsonPath, $"\"{path}\" must be an absolute path");
        }

        List<string> parts = [];
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        if (parts.Count == 0)
        {
            throw new InvalidSpecException(jsonPath, $"\"{path}\" names the container's root");
        }

        return string.Join('/', parts);
    }
}
