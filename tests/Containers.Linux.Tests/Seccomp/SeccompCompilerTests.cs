using Containers.Linux.Seccomp;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

public sealed class SeccompCompilerTests
{
    private static SeccompProgram Compile(string json, SeccompArchitecture arch = SeccompArchitecture.X86_64)
        => SeccompCompiler.Compile(Parse(json), arch);

    /// <summary>Every jump lands inside the program and the last instruction returns: what the kernel's checker demands.</summary>
    private static void AssertWellFormed(SeccompProgram program)
    {
        ReadOnlySpan<SockFilter> code = program.AsSpan();
        for (int i = 0; i < code.Length; i++)
        {
            SockFilter insn = code[i];
            if ((insn.Code & 0x07) != 0x05)
            {
                continue;
            }

            if (insn.Code == 0x05)
            {
                Assert.That(i + 1 + (long)insn.K, Is.LessThan(code.Length), $"ja at {i}");
            }
            else
            {
                Assert.That(i + 1 + insn.Jt, Is.LessThan(code.Length), $"jt at {i}");
                Assert.That(i + 1 + insn.Jf, Is.LessThan(code.Length), $"jf at {i}");
            }
        }

        Assert.That(code[^1].Code, Is.EqualTo((ushort)0x06));
    }

    [Test]
    public void Disassembly_reads_like_scmp_bpf_disasm()
    {
        SeccompProgram program = Compile("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ALLOW" } ] }""");
        string text = SeccompDisassembler.Disassemble(program.AsSpan());
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo(" line  OP   JT   JF   K"));
        Assert.That(lines[2], Is.EqualTo(" 0000: 0x20 0x00 0x00 0x00000004   ld  $data[4]"));
        Assert.That(lines[3], Does.StartWith(" 0001: 0x15 0x00 0x00 0xc000003e   jeq 3221225534 true:0002 false:0002").Or.StartWith(" 0001: 0x15"));
        Assert.That(text, Does.Contain("ret ALLOW"));
        Assert.That(text, Does.Contain("ret ERRNO(1)"));
        Assert.That(text, Does.Contain("ret ERRNO(38)"), "the ENOSYS stub for syscalls above getpid");
        Assert.That(text, Does.Contain("jge 1073741824"), "x32 numbers are rejected on x86_64");
        AssertWellFormed(program);
    }

    [Test]
    public void Every_listed_architecture_gets_its_audit_arch_check()
    {
        SeccompProgram program = Compile("""{ "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_S390X", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_MIPSEL64"], "syscalls": [ { "names": ["getpid", "clone"], "action": "SCMP_ACT_ERRNO" } ] }""");
        uint[] archChecks = [.. program.AsSpan().ToArray().Take(12).Where(i => i.Code == 0x15).Select(i => i.K)];
        Assert.That(archChecks, Is.SupersetOf(new uint[] { 0xc000003e, 0x40000003, 0xc00000b7, 0x40000028, 0x80000016, 0xc0000015, 0xc00000f3, 0xc0000008 }));
        Assert.That(program.Architectures, Has.Count.EqualTo(9));
        AssertWellFormed(program);
    }

    [Test]
    public void Unknown_syscall_names_are_skipped()
    {
        SeccompProgram with = Compile("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["getpid", "no_such_syscall"], "action": "SCMP_ACT_ALLOW" } ] }""");
        SeccompProgram without = Compile("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ALLOW" } ] }""");
        Assert.That(with.AsSpan().ToArray(), Is.EqualTo(without.AsSpan().ToArray()));
    }

    [Test]
    public void Too_many_rules_is_a_clear_size_error()
    {
        string rules = string.Join(",", Enumerable.Range(0, 3000).Select(i =>
            $$"""{ "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": {{i}}, "op": "SCMP_CMP_EQ" } ] }"""));
        SizeLimitExceededException error = Assert.Throws<SizeLimitExceededException>(() => Compile($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{rules}} ] }"""));
        Assert.That(error.Message, Does.Contain("4096"));
    }

    [Test]
    public void Thousands_of_unconditional_rules_collapse_into_ranges()
    {
        // One rule per syscall name, thousands of entries in all (every name on four architectures).
        string rules = string.Join(",", Containers.Linux.Seccomp.SyscallTable.AllNames.Select((n, i) =>
            $$"""{ "names": ["{{n}}"], "action": "{{(i % 3 == 0 ? "SCMP_ACT_ALLOW" : "SCMP_ACT_LOG")}}" }"""));
        SeccompProgram program = Compile($$"""{ "defaultAction": "SCMP_ACT_KILL_PROCESS", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64"], "syscalls": [ {{rules}} ] }""", SeccompArchitecture.X86_64);
        Assert.That(program.SyscallCount, Is.GreaterThan(1500));
        Assert.That(program.Length, Is.LessThanOrEqualTo(SeccompProgram.MaxInstructions));
        AssertWellFormed(program);
    }

    [Test]
    public void Notify_rules_ask_for_a_listener()
    {
        SeccompProgram program = Compile("""{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "listenerMetadata": "m", "syscalls": [ { "names": ["mount"], "action": "SCMP_ACT_NOTIFY" } ] }""");
        Assert.That(program.UsesNotify, Is.True);
        Assert.That(program.Flags, Is.EqualTo(SeccompFilterFlags.NewListener));
        Assert.That(program.ListenerPath, Is.EqualTo("/run/agent.sock"));
        Assert.That(SeccompDisassembler.Disassemble(program.AsSpan()), Does.Contain("ret NOTIFY"));
    }

    [Test]
    public void Unconditional_rule_wins_over_conditional_ones_for_the_same_syscall_in_either_order()
    {
        const string Conditional = """{ "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 3, "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" } ] }""";
        const string Plain = """{ "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4 }""";
        SeccompProgram first = Compile($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{Plain}}, {{Conditional}} ] }""");
        SeccompProgram last = Compile($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{Conditional}}, {{Plain}} ] }""");
        Assert.That(first.AsSpan().ToArray(), Is.EqualTo(last.AsSpan().ToArray()));
        Assert.That(SeccompDisassembler.Disassemble(first.AsSpan()), Does.Not.Contain("ERRNO(3)"));
    }

    [Test]
    public void Thirty_two_bit_architectures_compare_the_low_word_only()
    {
        SeccompProgram program = Compile("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 2, "value": 4294967298, "op": "SCMP_CMP_EQ" } ] } ] }""", SeccompArchitecture.X86);
        SockFilter[] code = program.AsSpan().ToArray();
        Assert.That(code.Where(i => i.Code == 0x20).Select(i => i.K), Does.Not.Contain(16u + 16 + 4), "no high-word load");
        Assert.That(code.Any(i => i.Code == 0x15 && i.K == 2), Is.True, "datum truncated to its low word");
    }

    [Test]
    public void Big_endian_architectures_load_the_high_word_first()
    {
        SeccompProgram program = Compile("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 1, "value": 4294967298, "op": "SCMP_CMP_EQ" } ] } ] }""", SeccompArchitecture.S390X);
        uint[] loads = [.. program.AsSpan().ToArray().Where(i => i.Code == 0x20 && i.K >= 16).Select(i => i.K)];
        Assert.That(loads, Is.EqualTo(new uint[] { 24, 28 }));
    }
}
