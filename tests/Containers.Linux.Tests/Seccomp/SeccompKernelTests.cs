using System.Globalization;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>Loads compiled programs into the kernel (in throwaway harness children) and checks what they do.</summary>
public sealed class SeccompKernelTests
{
    private static Task<string[]> Run(string json, params string[] cases)
        => SeccompHarness.RunAsync(SeccompCompiler.Compile(Parse(json), SeccompArchitecture.X86_64), cases);

    private static string Rule(int nr, string action, string extra = "") => $$"""{ "names": ["{{Name(nr)}}"], "action": "{{action}}"{{extra}} }""";

    private static string Name(int nr) => nr switch
    {
        Getpid => "getpid",
        Getppid => "getppid",
        Getuid => "getuid",
        Getgid => "getgid",
        Geteuid => "geteuid",
        Getegid => "getegid",
        Gettid => "gettid",
        Getpgrp => "getpgrp",
        _ => throw new ArgumentOutOfRangeException(nameof(nr)),
    };

    [Test]
    public async Task Every_action_does_what_the_kernel_documents()
    {
        string[] outcomes = await Run($$"""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
              {{Rule(Getpid, "SCMP_ACT_ERRNO", ", \"errnoRet\": 5")}},
              {{Rule(Getuid, "SCMP_ACT_KILL_PROCESS")}},
              {{Rule(Getgid, "SCMP_ACT_TRAP")}},
              {{Rule(Geteuid, "SCMP_ACT_KILL")}},
              {{Rule(Getegid, "SCMP_ACT_LOG")}},
              {{Rule(Gettid, "SCMP_ACT_TRACE", ", \"errnoRet\": 7")}},
              {{Rule(Getppid, "SCMP_ACT_KILL_THREAD")}},
              {{Rule(Getpgrp, "SCMP_ACT_ERRNO")}} ] }
            """,
            SeccompHarness.Case(Getpid), SeccompHarness.Case(Getuid), SeccompHarness.Case(Getgid), SeccompHarness.Case(Geteuid),
            SeccompHarness.Case(Getegid), SeccompHarness.Case(Gettid), SeccompHarness.Case(Getppid), SeccompHarness.Case(Getpgrp),
            SeccompHarness.Case(24));
        Assert.That(outcomes, Is.EqualTo(new[]
        {
            "ERRNO 5", "SIG 31", "TRAP", "SIG 31", "OK",
            "ERRNO 38", // TRACE without a tracer: ENOSYS
            "SIG 31", "ERRNO 1", // ERRNO without errnoRet: EPERM, as runc and crun
            "OK",
        }));
    }

    [Test]
    public async Task Deny_by_default_returns_ENOSYS_above_the_highest_named_syscall()
    {
        // write (1) and exit_group (231) are named, so 231 is the highest: clone3 (435) and 300 get ENOSYS.
        string[] outcomes = await Run(
            """{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": [ { "names": ["write", "exit_group"], "action": "SCMP_ACT_ALLOW" } ] }""",
            SeccompHarness.Case(Getpid), SeccompHarness.Case(200), SeccompHarness.Case(231 + 69), SeccompHarness.Case(435), SeccompHarness.Case(0x1ff));
        Assert.That(outcomes, Is.EqualTo(new[] { "ERRNO 13", "ERRNO 13", "ERRNO 38", "ERRNO 38", "ERRNO 38" }));
    }

    [Test]
    public async Task Allow_by_default_has_no_ENOSYS_stub()
    {
        string[] outcomes = await Run(
            """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" } ] }""",
            SeccompHarness.Case(Getpid), SeccompHarness.Case(Getuid), SeccompHarness.Case(0x1ff));
        Assert.That(outcomes, Is.EqualTo(new[] { "ERRNO 1", "OK", "ERRNO 38" /* the kernel's own ENOSYS */ }));
    }

    [Test]
    public async Task Conditions_on_each_argument_0_to_5_compare_both_halves()
    {
        const ulong Datum = 0x1234_5678_9abc_def0;
        string rules = string.Join(",", Enumerable.Range(0, 6).Select(i =>
            $$"""{ "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": {{10 + i}}, "args": [ { "index": {{i}}, "value": {{Datum}}, "op": "SCMP_CMP_EQ" } ] }"""));
        List<string> cases = [];
        List<string> expected = [];
        for (int i = 0; i < 6; i++)
        {
            ulong[] args = new ulong[6];
            args[i] = Datum;
            cases.Add(SeccompHarness.Case(Getpid, args));
            expected.Add("ERRNO " + (10 + i).ToString(CultureInfo.InvariantCulture));
            args[i] = Datum ^ 0x1_0000_0000; // high word differs
            cases.Add(SeccompHarness.Case(Getpid, args));
            expected.Add("OK");
            args[i] = Datum ^ 1; // low word differs
            cases.Add(SeccompHarness.Case(Getpid, args));
            expected.Add("OK");
        }

        string[] outcomes = await Run($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{rules}} ] }""", [.. cases]);
        Assert.That(outcomes, Is.EqualTo(expected));
    }

    private static readonly ulong[] Datums = [0, 5, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0005, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_fffe];

    [Test]
    public async Task Sixty_four_bit_comparisons_match_unsigned_arithmetic([Values] SeccompComparison op)
    {
        List<string> cases = [];
        List<string> expected = [];
        List<string> rules = [];
        ulong mask = 0xffff_0000_ffff_00ff;
        for (int d = 0; d < Datums.Length; d++)
        {
            ulong datum = Datums[d];
            string arg = op == SeccompComparison.MaskedEqual
                ? $$"""{ "index": 1, "value": {{mask}}, "valueTwo": {{datum & mask}}, "op": "{{OpName(op)}}" }"""
                : $$"""{ "index": 1, "value": {{datum}}, "op": "{{OpName(op)}}" }""";

            // One syscall per datum so rules do not interact.
            int nr = new[] { Getpid, Getppid, Getuid, Getgid, Geteuid, Getegid, Gettid }[d];
            rules.Add($$"""{ "names": ["{{Name(nr)}}"], "action": "SCMP_ACT_ERRNO", "errnoRet": {{100 + d}}, "args": [ {{arg}} ] }""");
            foreach (ulong value in Probes(datum))
            {
                cases.Add(SeccompHarness.Case(nr, 0, value));
                bool match = op switch
                {
                    SeccompComparison.Equal => value == datum,
                    SeccompComparison.NotEqual => value != datum,
                    SeccompComparison.LessThan => value < datum,
                    SeccompComparison.LessOrEqual => value <= datum,
                    SeccompComparison.GreaterThan => value > datum,
                    SeccompComparison.GreaterOrEqual => value >= datum,
                    _ => (value & mask) == (datum & mask),
                };
                expected.Add(match ? "ERRNO " + (100 + d).ToString(CultureInfo.InvariantCulture) : "OK");
            }
        }

        string[] outcomes = await Run($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{string.Join(",", rules)}} ] }""", [.. cases]);
        Assert.That(outcomes, Is.EqualTo(expected));
    }

    private static IEnumerable<ulong> Probes(ulong d) =>
        new ulong[] { d, d - 1, d + 1, d ^ 0x1_0000_0000, d ^ 0x8000_0000, d & 0xffff_ffff, d & 0xffff_ffff_0000_0000, 0, ulong.MaxValue }.Distinct();

    internal static string OpName(SeccompComparison op) => op switch
    {
        SeccompComparison.Equal => SeccompOperator.Equal,
        SeccompComparison.NotEqual => SeccompOperator.NotEqual,
        SeccompComparison.LessThan => SeccompOperator.LessThan,
        SeccompComparison.LessOrEqual => SeccompOperator.LessOrEqual,
        SeccompComparison.GreaterThan => SeccompOperator.GreaterThan,
        SeccompComparison.GreaterOrEqual => SeccompOperator.GreaterOrEqual,
        _ => SeccompOperator.MaskedEqual,
    };

    [Test]
    public async Task Hundreds_of_rules_need_long_jumps_and_still_load()
    {
        // 700 conditional rules on one syscall: the rule returns sit far beyond a conditional jump's 255.
        string rules = string.Join(",", Enumerable.Range(0, 700).Select(i =>
            $$"""{ "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": {{1 + (i % 50)}}, "args": [ { "index": 0, "value": {{i}}, "op": "SCMP_CMP_EQ" } ] }"""));
        SeccompProgram program = SeccompCompiler.Compile(Parse($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{rules}} ] }"""), SeccompArchitecture.X86_64);
        Assert.That(program.AsSpan().ToArray().Any(i => i.Code == 0x05 && i.K > 255), Is.True, "expected a long jump");
        string[] outcomes = await SeccompHarness.RunAsync(program,
            [SeccompHarness.Case(Getpid, 0), SeccompHarness.Case(Getpid, 349), SeccompHarness.Case(Getpid, 699), SeccompHarness.Case(Getpid, 700), SeccompHarness.Case(Getuid, 0)]);
        Assert.That(outcomes, Is.EqualTo(new[] { "ERRNO 1", "ERRNO 50", "ERRNO 50", "OK", "OK" }));
    }

    [Test]
    public async Task Every_known_syscall_allowed_with_deny_default_loads_and_dispatches()
    {
        string names = string.Join(",", Containers.Linux.Seccomp.SyscallTable.AllNames.Where(n => n is not "getpid").Select(n => "\"" + n + "\""));
        string[] outcomes = await Run(
            $$"""{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 77, "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [ { "names": [{{names}}], "action": "SCMP_ACT_ALLOW" } ] }""",
            SeccompHarness.Case(Getpid), SeccompHarness.Case(Getuid), SeccompHarness.Case(Gettid), SeccompHarness.Case(Getppid));
        Assert.That(outcomes, Is.EqualTo(new[] { "ERRNO 77", "OK", "OK", "OK" }));
    }

    [Test]
    public async Task X32_numbers_are_a_bad_architecture_unless_x32_is_listed()
    {
        const long X32Getpid = 0x4000_0000 + Getpid;
        string without = """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9 } ] }""";
        string with = """{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"], "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9 } ] }""";
        Assert.That(await Run(without, SeccompHarness.Case(X32Getpid), SeccompHarness.Case(Getpid)), Is.EqualTo(new[] { "SIG 31", "ERRNO 9" }));
        Assert.That(await Run(with, SeccompHarness.Case(X32Getpid), SeccompHarness.Case(Getpid)), Is.EqualTo(new[] { "ERRNO 9", "ERRNO 9" }));
    }

    [Test]
    public async Task Empty_syscall_list_applies_the_default_to_everything()
    {
        Assert.That(await Run("""{ "defaultAction": "SCMP_ACT_KILL_PROCESS", "syscalls": [] }""", SeccompHarness.Case(Getpid)), Is.EqualTo(new[] { "SIG 31" }));
        Assert.That(await Run("""{ "defaultAction": "SCMP_ACT_LOG" }""", SeccompHarness.Case(Getpid)), Is.EqualTo(new[] { "OK" }));
    }

    [Test]
    public async Task Errno_values_up_to_the_kernel_cap()
    {
        string[] outcomes = await Run("""
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
              { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095 },
              { "names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 65535 },
              { "names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0 } ] }
            """,
            SeccompHarness.Case(Getpid), SeccompHarness.Case(Getuid), SeccompHarness.Case(Getgid));

        // The kernel caps errno at MAX_ERRNO (4095); errno 0 makes the syscall "succeed" with 0 unexecuted.
        Assert.That(outcomes, Is.EqualTo(new[] { "ERRNO 4095", "ERRNO 4095", "OK" }));
    }

    [Test]
    public async Task Filter_flags_are_accepted_by_the_kernel()
    {
        SeccompProgram program = SeccompCompiler.Compile(
            Parse("""{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"], "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" } ] }"""),
            SeccompArchitecture.X86_64);
        Assert.That(program.Flags, Is.EqualTo(SeccompFilterFlags.Tsync | SeccompFilterFlags.Log | SeccompFilterFlags.SpecAllow));
        Assert.That(await SeccompHarness.RunAsync(program, [SeccompHarness.Case(Getpid)]), Is.EqualTo(new[] { "ERRNO 1" }));
    }
}
