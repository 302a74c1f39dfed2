using System.Text.Json;

namespace Containers.Oci.Runtime;

/// <summary>
/// A hand-written reader for the config.json fields runtimes and engines commonly write (runc's and crun's
/// <c>spec</c>, containerd's and podman's configs without seccomp or hooks). It exists for speed: System.Text.Json
/// builds the metadata of the whole <see cref="Spec"/> graph (about 70 types) the first time a process parses one,
/// and under NativeAOT each type's metadata reflects over its attributes — about 3 ms of every <c>runcs run</c>,
/// a third of what crun needs for the whole run.
/// It never decides anything on its own: any field it does not handle, any JSON null, any token of an unexpected
/// kind, a number out of range, a repeated map key, a missing required field or trailing data returns
/// <see langword="null"/>, and the caller parses the document with the source-generated serializer, whose result
/// and errors are the reference. Tests check that both give the same <see cref="Spec"/> on real runc/crun specs
/// and the runtime-spec examples, and that documents outside the subset are left to the serializer.
/// </summary>
internal static class SpecFastReader
{
    /// <summary>The spec, or null when the document needs the full serializer.</summary>
    public static Spec? TryRead(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            // Default reader options are the serializer's: no comments, no trailing commas, depth 64.
            Utf8JsonReader reader = new(utf8Json);
            Spec spec = ReadSpec(ref reader);
            return reader.Read() ? null : spec;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static Spec ReadSpec(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? ociVersion = null, hostname = null, domainname = null;
        ProcessSpec? process = null;
        Root? root = null;
        List<Mount>? mounts = null;
        Dictionary<string, string>? annotations = null;
        Linux? linux = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("ociVersion"u8)) ociVersion = ReadString(ref r);
            else if (r.ValueTextEquals("process"u8)) process = ReadProcess(ref r);
            else if (r.ValueTextEquals("root"u8)) root = ReadRoot(ref r);
            else if (r.ValueTextEquals("hostname"u8)) hostname = ReadString(ref r);
            else if (r.ValueTextEquals("domainname"u8)) domainname = ReadString(ref r);
            else if (r.ValueTextEquals("mounts"u8)) mounts = ReadList(ref r, ReadMount);
            else if (r.ValueTextEquals("annotations"u8)) annotations = StringMap(ref r);
            else if (r.ValueTextEquals("linux"u8)) linux = ReadLinux(ref r);
            else throw Fallback();
        }

        return new Spec
        {
            OciVersion = Required(ociVersion),
            Process = process,
            Root = root,
            Hostname = hostname,
            Domainname = domainname,
            Mounts = mounts,
            Annotations = annotations,
            Linux = linux,
        };
    }

    private static ProcessSpec ReadProcess(ref Utf8JsonReader r)
    {
        Start(ref r);
        bool? terminal = null, noNewPrivileges = null;
        ConsoleSize? consoleSize = null;
        ProcessUser? user = null;
        List<string>? args = null, env = null;
        string? commandLine = null, cwd = null, apparmorProfile = null, selinuxLabel = null;
        LinuxCapabilities? capabilities = null;
        List<PosixRlimit>? rlimits = null;
        int? oomScoreAdj = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("terminal"u8)) terminal = ReadBool(ref r);
            else if (r.ValueTextEquals("consoleSize"u8)) consoleSize = ReadConsoleSize(ref r);
            else if (r.ValueTextEquals("user"u8)) user = ReadUser(ref r);
            else if (r.ValueTextEquals("args"u8)) args = Strings(ref r);
            else if (r.ValueTextEquals("commandLine"u8)) commandLine = ReadString(ref r);
            else if (r.ValueTextEquals("env"u8)) env = Strings(ref r);
            else if (r.ValueTextEquals("cwd"u8)) cwd = ReadString(ref r);
            else if (r.ValueTextEquals("capabilities"u8)) capabilities = ReadCapabilities(ref r);
            else if (r.ValueTextEquals("rlimits"u8)) rlimits = ReadList(ref r, ReadRlimit);
            else if (r.ValueTextEquals("noNewPrivileges"u8)) noNewPrivileges = ReadBool(ref r);
            else if (r.ValueTextEquals("apparmorProfile"u8)) apparmorProfile = ReadString(ref r);
            else if (r.ValueTextEquals("oomScoreAdj"u8)) oomScoreAdj = Number(ref r).TryGetInt32(out int value) ? value : throw Fallback();
            else if (r.ValueTextEquals("selinuxLabel"u8)) selinuxLabel = ReadString(ref r);
            else throw Fallback();
        }

        return new ProcessSpec
        {
            Terminal = terminal,
            ConsoleSize = consoleSize,
            User = user,
            Args = args,
            CommandLine = commandLine,
            Env = env,
            Cwd = Required(cwd),
            Capabilities = capabilities,
            Rlimits = rlimits,
            NoNewPrivileges = noNewPrivileges,
            ApparmorProfile = apparmorProfile,
            OomScoreAdj = oomScoreAdj,
            SelinuxLabel = selinuxLabel,
        };
    }

    private static ConsoleSize ReadConsoleSize(ref Utf8JsonReader r)
    {
        Start(ref r);
        uint? height = null, width = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("height"u8)) height = ReadUInt32(ref r);
            else if (r.ValueTextEquals("width"u8)) width = ReadUInt32(ref r);
            else throw Fallback();
        }

        return new ConsoleSize { Height = Required(height), Width = Required(width) };
    }

    private static ProcessUser ReadUser(ref Utf8JsonReader r)
    {
        Start(ref r);
        uint? uid = null, gid = null, umask = null;
        List<uint>? additionalGids = null;
        string? username = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("uid"u8)) uid = ReadUInt32(ref r);
            else if (r.ValueTextEquals("gid"u8)) gid = ReadUInt32(ref r);
            else if (r.ValueTextEquals("umask"u8)) umask = ReadUInt32(ref r);
            else if (r.ValueTextEquals("additionalGids"u8)) additionalGids = ReadList(ref r, ReadUInt32);
            else if (r.ValueTextEquals("username"u8)) username = ReadString(ref r);
            else throw Fallback();
        }

        return new ProcessUser { Uid = Required(uid), Gid = Required(gid), Umask = umask, AdditionalGids = additionalGids, Username = username };
    }

    private static LinuxCapabilities ReadCapabilities(ref Utf8JsonReader r)
    {
        Start(ref r);
        List<string>? bounding = null, effective = null, inheritable = null, permitted = null, ambient = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("bounding"u8)) bounding = Strings(ref r);
            else if (r.ValueTextEquals("effective"u8)) effective = Strings(ref r);
            else if (r.ValueTextEquals("inheritable"u8)) inheritable = Strings(ref r);
            else if (r.ValueTextEquals("permitted"u8)) permitted = Strings(ref r);
            else if (r.ValueTextEquals("ambient"u8)) ambient = Strings(ref r);
            else throw Fallback();
        }

        return new LinuxCapabilities { Bounding = bounding, Effective = effective, Inheritable = inheritable, Permitted = permitted, Ambient = ambient };
    }

    private static PosixRlimit ReadRlimit(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? type = null;
        ulong? hard = null, soft = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("type"u8)) type = ReadString(ref r);
            else if (r.ValueTextEquals("hard"u8)) hard = ReadUInt64(ref r);
            else if (r.ValueTextEquals("soft"u8)) soft = ReadUInt64(ref r);
            else throw Fallback();
        }

        return new PosixRlimit { Type = Required(type), Hard = Required(hard), Soft = Required(soft) };
    }

    private static Root ReadRoot(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? path = null;
        bool? readOnly = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("path"u8)) path = ReadString(ref r);
            else if (r.ValueTextEquals("readonly"u8)) readOnly = ReadBool(ref r);
            else throw Fallback();
        }

        return new Root { Path = Required(path), Readonly = readOnly };
    }

    private static Mount ReadMount(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? destination = null, type = null, source = null;
        List<string>? options = null;
        List<LinuxIdMapping>? uidMappings = null, gidMappings = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("destination"u8)) destination = ReadString(ref r);
            else if (r.ValueTextEquals("type"u8)) type = ReadString(ref r);
            else if (r.ValueTextEquals("source"u8)) source = ReadString(ref r);
            else if (r.ValueTextEquals("options"u8)) options = Strings(ref r);
            else if (r.ValueTextEquals("uidMappings"u8)) uidMappings = ReadList(ref r, ReadIdMapping);
            else if (r.ValueTextEquals("gidMappings"u8)) gidMappings = ReadList(ref r, ReadIdMapping);
            else throw Fallback();
        }

        return new Mount { Destination = Required(destination), Type = type, Source = source, Options = options, UidMappings = uidMappings, GidMappings = gidMappings };
    }

    private static LinuxIdMapping ReadIdMapping(ref Utf8JsonReader r)
    {
        Start(ref r);
        uint? containerId = null, hostId = null, size = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("containerID"u8)) containerId = ReadUInt32(ref r);
            else if (r.ValueTextEquals("hostID"u8)) hostId = ReadUInt32(ref r);
            else if (r.ValueTextEquals("size"u8)) size = ReadUInt32(ref r);
            else throw Fallback();
        }

        return new LinuxIdMapping { ContainerId = Required(containerId), HostId = Required(hostId), Size = Required(size) };
    }

    private static Linux ReadLinux(ref Utf8JsonReader r)
    {
        Start(ref r);
        List<LinuxIdMapping>? uidMappings = null, gidMappings = null;
        Dictionary<string, string>? sysctl = null;
        LinuxResources? resources = null;
        string? cgroupsPath = null, rootfsPropagation = null, mountLabel = null;
        List<LinuxNamespace>? namespaces = null;
        List<LinuxDevice>? devices = null;
        List<string>? maskedPaths = null, readonlyPaths = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("uidMappings"u8)) uidMappings = ReadList(ref r, ReadIdMapping);
            else if (r.ValueTextEquals("gidMappings"u8)) gidMappings = ReadList(ref r, ReadIdMapping);
            else if (r.ValueTextEquals("sysctl"u8)) sysctl = StringMap(ref r);
            else if (r.ValueTextEquals("resources"u8)) resources = ReadResources(ref r);
            else if (r.ValueTextEquals("cgroupsPath"u8)) cgroupsPath = ReadString(ref r);
            else if (r.ValueTextEquals("namespaces"u8)) namespaces = ReadList(ref r, ReadNamespace);
            else if (r.ValueTextEquals("devices"u8)) devices = ReadList(ref r, ReadDevice);
            else if (r.ValueTextEquals("rootfsPropagation"u8)) rootfsPropagation = ReadString(ref r);
            else if (r.ValueTextEquals("maskedPaths"u8)) maskedPaths = Strings(ref r);
            else if (r.ValueTextEquals("readonlyPaths"u8)) readonlyPaths = Strings(ref r);
            else if (r.ValueTextEquals("mountLabel"u8)) mountLabel = ReadString(ref r);
            else throw Fallback();
        }

        return new Linux
        {
            UidMappings = uidMappings,
            GidMappings = gidMappings,
            Sysctl = sysctl,
            Resources = resources,
            CgroupsPath = cgroupsPath,
            Namespaces = namespaces,
            Devices = devices,
            RootfsPropagation = rootfsPropagation,
            MaskedPaths = maskedPaths,
            ReadonlyPaths = readonlyPaths,
            MountLabel = mountLabel,
        };
    }

    private static LinuxNamespace ReadNamespace(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? type = null, path = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("type"u8)) type = ReadString(ref r);
            else if (r.ValueTextEquals("path"u8)) path = ReadString(ref r);
            else throw Fallback();
        }

        return new LinuxNamespace { Type = Required(type), Path = path };
    }

    private static LinuxDevice ReadDevice(ref Utf8JsonReader r)
    {
        Start(ref r);
        string? path = null, type = null;
        long? major = null, minor = null;
        uint? fileMode = null, uid = null, gid = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("path"u8)) path = ReadString(ref r);
            else if (r.ValueTextEquals("type"u8)) type = ReadString(ref r);
            else if (r.ValueTextEquals("major"u8)) major = ReadInt64(ref r);
            else if (r.ValueTextEquals("minor"u8)) minor = ReadInt64(ref r);
            else if (r.ValueTextEquals("fileMode"u8)) fileMode = ReadUInt32(ref r);
            else if (r.ValueTextEquals("uid"u8)) uid = ReadUInt32(ref r);
            else if (r.ValueTextEquals("gid"u8)) gid = ReadUInt32(ref r);
            else throw Fallback();
        }

        return new LinuxDevice { Path = Required(path), Type = Required(type), Major = major, Minor = minor, FileMode = fileMode, Uid = uid, Gid = gid };
    }

    private static LinuxResources ReadResources(ref Utf8JsonReader r)
    {
        Start(ref r);
        List<LinuxDeviceCgroup>? devices = null;
        LinuxMemory? memory = null;
        LinuxCpu? cpu = null;
        LinuxPids? pids = null;
        Dictionary<string, string>? unified = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("devices"u8)) devices = ReadList(ref r, ReadDeviceCgroup);
            else if (r.ValueTextEquals("memory"u8)) memory = ReadMemory(ref r);
            else if (r.ValueTextEquals("cpu"u8)) cpu = ReadCpu(ref r);
            else if (r.ValueTextEquals("pids"u8)) pids = ReadPids(ref r);
            else if (r.ValueTextEquals("unified"u8)) unified = StringMap(ref r);
            else throw Fallback();
        }

        return new LinuxResources { Devices = devices, Memory = memory, Cpu = cpu, Pids = pids, Unified = unified };
    }

    private static LinuxDeviceCgroup ReadDeviceCgroup(ref Utf8JsonReader r)
    {
        Start(ref r);
        bool? allow = null;
        string? type = null, access = null;
        long? major = null, minor = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("allow"u8)) allow = ReadBool(ref r);
            else if (r.ValueTextEquals("type"u8)) type = ReadString(ref r);
            else if (r.ValueTextEquals("major"u8)) major = ReadInt64(ref r);
            else if (r.ValueTextEquals("minor"u8)) minor = ReadInt64(ref r);
            else if (r.ValueTextEquals("access"u8)) access = ReadString(ref r);
            else throw Fallback();
        }

        return new LinuxDeviceCgroup { Allow = Required(allow), Type = type, Major = major, Minor = minor, Access = access };
    }

    private static LinuxMemory ReadMemory(ref Utf8JsonReader r)
    {
        Start(ref r);
        long? limit = null, reservation = null, swap = null, kernel = null, kernelTcp = null;
        ulong? swappiness = null;
        bool? disableOomKiller = null, useHierarchy = null, checkBeforeUpdate = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("limit"u8)) limit = ReadInt64(ref r);
            else if (r.ValueTextEquals("reservation"u8)) reservation = ReadInt64(ref r);
            else if (r.ValueTextEquals("swap"u8)) swap = ReadInt64(ref r);
            else if (r.ValueTextEquals("kernel"u8)) kernel = ReadInt64(ref r);
            else if (r.ValueTextEquals("kernelTCP"u8)) kernelTcp = ReadInt64(ref r);
            else if (r.ValueTextEquals("swappiness"u8)) swappiness = ReadUInt64(ref r);
            else if (r.ValueTextEquals("disableOOMKiller"u8)) disableOomKiller = ReadBool(ref r);
            else if (r.ValueTextEquals("useHierarchy"u8)) useHierarchy = ReadBool(ref r);
            else if (r.ValueTextEquals("checkBeforeUpdate"u8)) checkBeforeUpdate = ReadBool(ref r);
            else throw Fallback();
        }

        return new LinuxMemory
        {
            Limit = limit,
            Reservation = reservation,
            Swap = swap,
            Kernel = kernel,
            KernelTcp = kernelTcp,
            Swappiness = swappiness,
            DisableOomKiller = disableOomKiller,
            UseHierarchy = useHierarchy,
            CheckBeforeUpdate = checkBeforeUpdate,
        };
    }

    private static LinuxCpu ReadCpu(ref Utf8JsonReader r)
    {
        Start(ref r);
        ulong? shares = null, burst = null, period = null, realtimePeriod = null;
        long? quota = null, realtimeRuntime = null, idle = null;
        string? cpus = null, mems = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("shares"u8)) shares = ReadUInt64(ref r);
            else if (r.ValueTextEquals("quota"u8)) quota = ReadInt64(ref r);
            else if (r.ValueTextEquals("burst"u8)) burst = ReadUInt64(ref r);
            else if (r.ValueTextEquals("period"u8)) period = ReadUInt64(ref r);
            else if (r.ValueTextEquals("realtimeRuntime"u8)) realtimeRuntime = ReadInt64(ref r);
            else if (r.ValueTextEquals("realtimePeriod"u8)) realtimePeriod = ReadUInt64(ref r);
            else if (r.ValueTextEquals("cpus"u8)) cpus = ReadString(ref r);
            else if (r.ValueTextEquals("mems"u8)) mems = ReadString(ref r);
            else if (r.ValueTextEquals("idle"u8)) idle = ReadInt64(ref r);
            else throw Fallback();
        }

        return new LinuxCpu
        {
            Shares = shares,
            Quota = quota,
            Burst = burst,
            Period = period,
            RealtimeRuntime = realtimeRuntime,
            RealtimePeriod = realtimePeriod,
            Cpus = cpus,
            Mems = mems,
            Idle = idle,
        };
    }

    private static LinuxPids ReadPids(ref Utf8JsonReader r)
    {
        Start(ref r);
        long? limit = null;
        while (NextProperty(ref r))
        {
            if (r.ValueTextEquals("limit"u8)) limit = ReadInt64(ref r);
            else throw Fallback();
        }

        return new LinuxPids { Limit = Required(limit) };
    }

    private delegate T ItemReader<T>(ref Utf8JsonReader r);

    /// <summary>Reads the value at the next token as an array of <typeparamref name="T"/>.</summary>
    private static List<T> ReadList<T>(ref Utf8JsonReader r, ItemReader<T> item)
    {
        Expect(ref r, JsonTokenType.StartArray);
        List<T> list = [];
        while (true)
        {
            // Each item reader advances to its own first token; peek by copying the reader.
            Utf8JsonReader peek = r;
            if (!peek.Read())
            {
                throw Fallback();
            }

            if (peek.TokenType == JsonTokenType.EndArray)
            {
                r = peek;
                return list;
            }

            list.Add(item(ref r));
        }
    }

    private static List<string> Strings(ref Utf8JsonReader r) => ReadList(ref r, ReadString);

    private static Dictionary<string, string> StringMap(ref Utf8JsonReader r)
    {
        Start(ref r);
        Dictionary<string, string> map = [];
        while (NextProperty(ref r))
        {
            // A repeated key goes to the serializer, which owns the rule for duplicates.
            if (!map.TryAdd(r.GetString()!, ReadString(ref r)))
            {
                throw Fallback();
            }
        }

        return map;
    }

    /// <summary>Moves to the next token, which must start an object.</summary>
    private static void Start(ref Utf8JsonReader r) => Expect(ref r, JsonTokenType.StartObject);

    /// <summary>Moves to the next property name (true) or the end of the object (false).</summary>
    private static bool NextProperty(ref Utf8JsonReader r)
    {
        if (!r.Read())
        {
            throw Fallback();
        }

        return r.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw Fallback(),
        };
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (!r.Read() || r.TokenType != type)
        {
            throw Fallback();
        }
    }

    private static string ReadString(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.String);
        return r.GetString()!;
    }

    private static bool ReadBool(ref Utf8JsonReader r)
    {
        if (!r.Read() || r.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            throw Fallback();
        }

        return r.TokenType == JsonTokenType.True;
    }

    private static ref Utf8JsonReader Number(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.Number);
        return ref r;
    }

    private static uint ReadUInt32(ref Utf8JsonReader r) => Number(ref r).TryGetUInt32(out uint value) ? value : throw Fallback();

    private static ulong ReadUInt64(ref Utf8JsonReader r) => Number(ref r).TryGetUInt64(out ulong value) ? value : throw Fallback();

    private static long ReadInt64(ref Utf8JsonReader r) => Number(ref r).TryGetInt64(out long value) ? value : throw Fallback();

    private static string Required(string? value) => value ?? throw Fallback();

    private static T Required<T>(T? value)
        where T : struct => value ?? throw Fallback();

    /// <summary>Ends the fast read: the document needs the full serializer (caught in <see cref="TryRead"/>).</summary>
    private static JsonException Fallback() => new();
}
