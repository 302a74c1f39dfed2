using System.Globalization;
using System.Text.RegularExpressions;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs update [flags | -r FILE] id</c>: change a running container's limits, with runc's flags
/// (memory sizes in runc's units: <c>100m</c>, <c>1g</c>, <c>-1</c> for unlimited) or a
/// <c>linux.resources</c> JSON document (<c>-</c> for stdin), which reaches every resource.
/// The manager validates everything before its first write.
/// </summary>
internal static partial class UpdateCommand
{
    /// <summary>runc update's value flags.</summary>
    public static readonly string[] Flags =
    [
        "--resources", "--blkio-weight", "--cpu-period", "--cpu-quota", "--cpu-share", "--cpu-rt-period", "--cpu-rt-runtime",
        "--cpuset-cpus", "--cpuset-mems", "--kernel-memory", "--kernel-memory-tcp", "--memory", "--memory-reservation",
        "--memory-swap", "--pids-limit", "--cpu-idle", "--l3-cache-schema", "--mem-bw-schema",
    ];

    public static int Execute(CommandLine line, ContainerStore store)
    {
        ContainerRecord record = store.Load(Verbs.SingleId(line));
        if (line.Option("--l3-cache-schema") is not null || line.Option("--mem-bw-schema") is not null)
        {
            throw new UnsupportedException("--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by runcs");
        }

        LinuxResources resources = (line.Option("--resources") ?? line.Option("-r")) is string file ? Read(file) : FromFlags(line);
        if (store.StatusOf(record) == ContainerStatus.Stopped)
        {
            throw new FailedPreconditionException("container not running");
        }

        // Like runc, the update is merged into the recorded resources and the whole set is applied,
        // so values that depend on each other (memory limit and swap) are written together. Device
        // rules are rewritten only when the update names them: rewriting them opens a deny window.
        LinuxResources merged = ContainerCgroups.Merge(record.Resources, resources);
        IList<LinuxDeviceCgroup>? devices = merged.Devices;
        merged.Devices = resources.Devices;
        ContainerCgroups.Of(record).Apply(merged);
        merged.Devices = devices;
        record.Resources = merged;
        store.Save(record);
        return 0;
    }

    private static LinuxResources Read(string file)
    {
        byte[] bytes;
        if (file == "-")
        {
            using Stream stdin = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read);
            using MemoryStream copy = new();
            stdin.CopyTo(copy);
            bytes = copy.ToArray();
        }
        else
        {
            bytes = File.ReadAllBytes(file);
        }

        return OciJson.Deserialize(bytes, RuncsJsonContext.Default.LinuxResources);
    }

    private static LinuxResources FromFlags(CommandLine line)
    {
        LinuxMemory memory = new()
        {
            Limit = Size(line, "--memory"),
            Reservation = Size(line, "--memory-reservation"),
            Swap = Size(line, "--memory-swap"),
            Kernel = Size(line, "--kernel-memory"),
            KernelTcp = Size(line, "--kernel-memory-tcp"),
        };
        LinuxCpu cpu = new()
        {
            Shares = Unsigned(line, "--cpu-share"),
            Quota = Signed(line, "--cpu-quota"),
            Period = Unsigned(line, "--cpu-period"),
            RealtimeRuntime = Signed(line, "--cpu-rt-runtime"),
            RealtimePeriod = Unsigned(line, "--cpu-rt-period"),
            Cpus = line.Option("--cpuset-cpus"),
            Mems = line.Option("--cpuset-mems"),
            Idle = Signed(line, "--cpu-idle"),
        };
        ulong? weight = Unsigned(line, "--blkio-weight");
        long? pids = Signed(line, "--pids-limit");
        return new LinuxResources
        {
            Memory = memory is { Limit: null, Reservation: null, Swap: null, Kernel: null, KernelTcp: null } ? null : memory,
            Cpu = cpu is { Shares: null, Quota: null, Period: null, RealtimeRuntime: null, RealtimePeriod: null, Cpus: null, Mems: null, Idle: null } ? null : cpu,
            BlockIO = weight is ulong w ? new LinuxBlockIO { Weight = w <= ushort.MaxValue ? (ushort)w : throw new UsageException($"invalid value \"{w}\" for flag --blkio-weight") } : null,
            Pids = pids is long limit ? new LinuxPids { Limit = limit } : null,
        };
    }

    private static ulong? Unsigned(CommandLine line, string flag)
        => line.Option(flag) is not string text ? null
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) ? value
            : throw new UsageException($"invalid value \"{text}\" for flag {flag}");

    private static long? Signed(CommandLine line, string flag)
        => line.Option(flag) is not string text ? null
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value
            : throw new UsageException($"invalid value \"{text}\" for flag {flag}");

    /// <summary>runc's units.RAMInBytes: binary multiples, optional <c>i</c>/<c>b</c>; <c>-1</c> is unlimited.</summary>
    private static long? Size(CommandLine line, string flag)
    {
        if (line.Option(flag) is not string text)
        {
            return null;
        }

        if (text == "-1")
        {
            return -1;
        }

        Match match = SizePattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            throw new UsageException($"invalid value for {flag}: invalid size: '{text}'");
        }

        int shift = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" => 0,
            "k" => 10,
            "m" => 20,
            "g" => 30,
            "t" => 40,
            _ => 50,
        };
        return (long)(value * Math.Pow(2, shift));
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();
}
