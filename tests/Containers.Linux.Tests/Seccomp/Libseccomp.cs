using System.Runtime.InteropServices;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// libseccomp 2.5 (libseccomp.so.2, present wherever crun or runc is) driven as crun 1.8 drives it: rules whose action
/// is the default are skipped, a rule with two conditions on one argument is added as one rule per condition, and every
/// other rule goes to <c>seccomp_rule_add_array</c> per resolved name. The filter is exported with
/// <c>seccomp_export_bpf</c>, so tests can run libseccomp's own program next to ours without a container.
/// </summary>
internal static unsafe partial class Libseccomp
{
    private const string Library = "libseccomp.so.2";

    /// <summary>Whether libseccomp.so.2 can be loaded.</summary>
    public static bool Available { get; } = NativeLibrary.TryLoad(Library, out _);

    /// <summary>
    /// Builds the filter (x86_64 and the profile's architectures) for <paramref name="profile"/>. Returns the program's bytes, or null with the negative
    /// errno of the first <c>seccomp_rule_add_array</c> that failed (crun refuses the profile then).
    /// </summary>
    public static (byte[]? Program, int Error) Export(LinuxSeccomp profile)
    {
        uint defaultAction = Action(profile.DefaultAction, profile.DefaultErrnoRet);
        nint ctx = Init(defaultAction);
        if (ctx == 0)
        {
            throw new InvalidOperationException("seccomp_init failed");
        }

        try
        {
            foreach (string arch in profile.Architectures ?? [])
            {
                // As crun adds them: the native architecture is there already (EEXIST).
                uint token = ResolveArch(arch.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? arch["SCMP_ARCH_".Length..].ToLowerInvariant() : arch);
                int added = token == 0 ? -22 : ArchAdd(ctx, token);
                if (added != 0 && added != -17)
                {
                    throw new InvalidOperationException($"seccomp_arch_add({arch}): {added}");
                }
            }

            ScmpArgCmp* args = stackalloc ScmpArgCmp[6];
            foreach (LinuxSyscall rule in profile.Syscalls ?? [])
            {
                uint action = Action(rule.Action, rule.ErrnoRet);
                if (action == defaultAction)
                {
                    continue;
                }

                IList<LinuxSeccompArg> conditions = rule.Args ?? [];
                bool split = conditions.GroupBy(c => c.Index).Any(g => g.Count() > 1);
                foreach (string name in rule.Names)
                {
                    int nr = ResolveName(name);
                    if (nr == -10000 /* __NR_SCMP_ERROR */)
                    {
                        continue;
                    }

                    IEnumerable<LinuxSeccompArg[]> parts = split ? conditions.Select(c => new[] { c }) : [[.. conditions]];
                    foreach (LinuxSeccompArg[] part in parts)
                    {
                        for (int i = 0; i < part.Length; i++)
                        {
                            args[i] = new ScmpArgCmp { Arg = part[i].Index, Op = Op(part[i].Op), DatumA = part[i].Value, DatumB = part[i].ValueTwo ?? 0 };
                        }

                        int rc = RuleAddArray(ctx, action, nr, (uint)part.Length, args);
                        if (rc != 0)
                        {
                            return (null, rc);
                        }
                    }
                }
            }

            string path = Path.Combine(Path.GetTempPath(), "libseccomp-" + Guid.NewGuid().ToString("N") + ".bpf");
            try
            {
                using (FileStream sink = new(path, FileMode.CreateNew, FileAccess.Write))
                {
                    int rc = ExportBpf(ctx, (int)sink.SafeFileHandle.DangerousGetHandle());
                    if (rc != 0)
                    {
                        throw new InvalidOperationException($"seccomp_export_bpf: {rc}");
                    }
                }

                return (File.ReadAllBytes(path), 0);
            }
            finally
            {
                File.Delete(path);
            }
        }
        finally
        {
            Release(ctx);
        }
    }

    private static uint Action(string action, uint? errno) => action switch
    {
        "SCMP_ACT_ALLOW" => 0x7fff0000,
        "SCMP_ACT_ERRNO" => 0x00050000 | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0,
        "SCMP_ACT_KILL_PROCESS" => 0x80000000,
        "SCMP_ACT_TRAP" => 0x00030000,
        "SCMP_ACT_LOG" => 0x7ffc0000,
        "SCMP_ACT_NOTIFY" => 0x7fc00000,
        "SCMP_ACT_TRACE" => 0x7ff00000 | ((errno ?? 1) & 0xffff),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    private static int Op(string op) => op switch
    {
        SeccompOperator.NotEqual => 1,
        SeccompOperator.LessThan => 2,
        SeccompOperator.LessOrEqual => 3,
        SeccompOperator.Equal => 4,
        SeccompOperator.GreaterOrEqual => 5,
        SeccompOperator.GreaterThan => 6,
        _ => 7,
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct ScmpArgCmp
    {
        public uint Arg;
        public int Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(Library, EntryPoint = "seccomp_init")]
    private static partial nint Init(uint defaultAction);

    [LibraryImport(Library, EntryPoint = "seccomp_release")]
    private static partial void Release(nint ctx);

    [LibraryImport(Library, EntryPoint = "seccomp_syscall_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ResolveName(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_rule_add_array")]
    private static partial int RuleAddArray(nint ctx, uint action, int syscall, uint count, ScmpArgCmp* args);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_resolve_name", StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint ResolveArch(string name);

    [LibraryImport(Library, EntryPoint = "seccomp_arch_add")]
    private static partial int ArchAdd(nint ctx, uint token);

    [LibraryImport(Library, EntryPoint = "seccomp_export_bpf")]
    private static partial int ExportBpf(nint ctx, int fd);
}
