using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;

namespace Containers.Benchmarks;

/// <summary>
/// Compiling Docker's default seccomp profile (amd64, default capabilities): our compiler, a cache hit,
/// and libseccomp 2.5 through P/Invoke (the library runc and crun use; present wherever crun is) doing
/// the same job: resolve, add every rule, generate BPF. Program sizes are printed at setup.
/// Run: dotnet run -c Release --project benchmarks/Containers.Benchmarks -- --filter '*Seccomp*'
/// </summary>
[MemoryDiagnoser]
public class SeccompCompilerBenchmarks
{
    private LinuxSeccomp _profile = null!;
    private SeccompProgramCache _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        string file = Path.Combine(BenchmarkPaths.RepositoryRoot(), "tests", "Containers.Linux.Tests", "Seccomp", "TestData", "docker-default-amd64.oci.json");
        _profile = JsonSerializer.Deserialize(File.ReadAllText(file), RuntimeSpecJsonContext.Default.LinuxSeccomp)!;
        _cache = new SeccompProgramCache();
        _cache.GetOrCompile(_profile, SeccompArchitecture.X86_64);
        Console.WriteLine($"// ours: {SeccompCompiler.Compile(_profile, SeccompArchitecture.X86_64).Length} BPF instructions");
        if (Libseccomp.Available)
        {
            Console.WriteLine($"// libseccomp: {Libseccomp.Compile(_profile)} BPF instructions");
        }
    }

    /// <summary>Our compiler, from the OCI object to the program.</summary>
    [Benchmark(Baseline = true)]
    public int Compile() => SeccompCompiler.Compile(_profile, SeccompArchitecture.X86_64).Length;

    /// <summary>A cache hit: canonical JSON, SHA-256, dictionary lookup.</summary>
    [Benchmark]
    public int CacheHit() => _cache.GetOrCompile(_profile, SeccompArchitecture.X86_64).Length;

    /// <summary>libseccomp doing the same work (skipped, returning -1, where libseccomp.so.2 is missing).</summary>
    [Benchmark]
    public int LibseccompCompile() => Libseccomp.Available ? Libseccomp.Compile(_profile) : -1;

    /// <summary>Just enough of libseccomp's API to build and export a filter as runc and crun do.</summary>
    private static unsafe class Libseccomp
    {
        private const string Library = "libseccomp.so.2";

        public static bool Available { get; } = NativeLibrary.TryLoad(Library, out _);

        [StructLayout(LayoutKind.Sequential)]
        private struct ScmpArgCmp
        {
            public uint Arg;
            public int Op;
            public ulong DatumA;
            public ulong DatumB;
        }

        [DllImport(Library)]
        private static extern nint seccomp_init(uint defaultAction);

        [DllImport(Library)]
        private static extern void seccomp_release(nint ctx);

        [DllImport(Library)]
        private static extern int seccomp_arch_add(nint ctx, uint arch);

        [DllImport(Library)]
        private static extern uint seccomp_arch_resolve_name([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

        [DllImport(Library)]
        private static extern int seccomp_syscall_resolve_name([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

        [DllImport(Library)]
        private static extern int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint count, ScmpArgCmp* args);

        [DllImport(Library)]
        private static extern int seccomp_export_bpf(nint ctx, int fd);

        private static uint Action(string action, uint? errno) => action switch
        {
            "SCMP_ACT_ALLOW" => 0x7fff0000,
            "SCMP_ACT_ERRNO" => 0x00050000 | ((errno ?? 1) & 0xffff),
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0,
            "SCMP_ACT_KILL_PROCESS" => 0x80000000,
            "SCMP_ACT_TRAP" => 0x00030000,
            "SCMP_ACT_LOG" => 0x7ffc0000,
            _ => 0x7ff00000 | ((errno ?? 1) & 0xffff),
        };

        private static int Op(string op) => op switch
        {
            "SCMP_CMP_NE" => 1,
            "SCMP_CMP_LT" => 2,
            "SCMP_CMP_LE" => 3,
            "SCMP_CMP_EQ" => 4,
            "SCMP_CMP_GE" => 5,
            "SCMP_CMP_GT" => 6,
            _ => 7,
        };

        /// <summary>Builds the filter and exports it to a pipe; returns the instruction count.</summary>
        public static int Compile(LinuxSeccomp profile)
        {
            uint defaultAction = Action(profile.DefaultAction, profile.DefaultErrnoRet);
            nint ctx = seccomp_init(defaultAction);
            try
            {
                foreach (string arch in profile.Architectures ?? [])
                {
                    _ = seccomp_arch_add(ctx, seccomp_arch_resolve_name(arch["SCMP_ARCH_".Length..].ToLowerInvariant()));
                }

                ScmpArgCmp* args = stackalloc ScmpArgCmp[6];
                foreach (LinuxSyscall rule in profile.Syscalls ?? [])
                {
                    uint action = Action(rule.Action, rule.ErrnoRet);
                    if (action == defaultAction)
                    {
                        continue;
                    }

                    int count = 0;
                    foreach (LinuxSeccompArg arg in rule.Args ?? [])
                    {
                        args[count++] = new ScmpArgCmp { Arg = arg.Index, Op = Op(arg.Op), DatumA = arg.Value, DatumB = arg.ValueTwo ?? 0 };
                    }

                    foreach (string name in rule.Names)
                    {
                        int nr = seccomp_syscall_resolve_name(name);
                        if (nr != -10000 /* __NR_SCMP_ERROR */)
                        {
                            _ = seccomp_rule_add_array(ctx, action, nr, (uint)count, args);
                        }
                    }
                }

                using FileStream sink = new(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
                int rc = seccomp_export_bpf(ctx, (int)sink.SafeFileHandle.DangerousGetHandle());
                return rc == 0 ? (int)(sink.Length / 8) : rc;
            }
            finally
            {
                seccomp_release(ctx);
            }
        }
    }
}
