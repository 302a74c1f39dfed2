using System.Globalization;
using System.Text;

namespace Containers.Linux.Seccomp;

/// <summary>Prints a seccomp BPF program the way libseccomp's <c>scmp_bpf_disasm</c> does.</summary>
public static class SeccompDisassembler
{
    /// <summary>One line per instruction: index, raw fields, then the decoded instruction.</summary>
    public static string Disassemble(ReadOnlySpan<SockFilter> program)
    {
        StringBuilder text = new();
        text.Append(" line  OP   JT   JF   K\n");
        text.Append("=================================\n");
        for (int i = 0; i < program.Length; i++)
        {
            SockFilter insn = program[i];
            text.Append(CultureInfo.InvariantCulture, $" {i:d4}: 0x{insn.Code:x2} 0x{insn.Jt:x2} 0x{insn.Jf:x2} 0x{insn.K:x8}   ");
            text.Append(Decode(insn, i)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The decoded form of one instruction at index <paramref name="at"/>.</summary>
    public static string Decode(SockFilter insn, int at)
    {
        int next = at + 1;
        return insn.Code switch
        {
            Bpf.LdAbsW => string.Create(CultureInfo.InvariantCulture, $"ld  $data[{insn.K}]"),
            Bpf.AndK => string.Create(CultureInfo.InvariantCulture, $"and 0x{insn.K:x8}"),
            Bpf.JmpJa => string.Create(CultureInfo.InvariantCulture, $"jmp {next + insn.K:d4}"),
            Bpf.JeqK => Conditional("jeq", insn, next),
            Bpf.JgtK => Conditional("jgt", insn, next),
            Bpf.JgeK => Conditional("jge", insn, next),
            Bpf.JsetK => Conditional("jset", insn, next),
            Bpf.RetK => "ret " + ActionName(insn.K),
            _ => string.Create(CultureInfo.InvariantCulture, $"??? 0x{insn.Code:x4}"),
        };
    }

    /// <summary>libseccomp's name for a filter return value, e.g. <c>ERRNO(1)</c>.</summary>
    public static string ActionName(uint ret)
    {
        uint data = ret & Bpf.RetDataMask;
        return (ret & ~Bpf.RetDataMask) switch
        {
            Bpf.RetKillProcess => "KILL_PROCESS",
            Bpf.RetKillThread => "KILL",
            Bpf.RetTrap => "TRAP",
            Bpf.RetErrno => string.Create(CultureInfo.InvariantCulture, $"ERRNO({data})"),
            Bpf.RetTrace => string.Create(CultureInfo.InvariantCulture, $"TRACE({data})"),
            Bpf.RetUserNotif => "NOTIFY",
            Bpf.RetLog => "LOG",
            Bpf.RetAllow => "ALLOW",
            _ => string.Create(CultureInfo.InvariantCulture, $"0x{ret:x8}"),
        };
    }

    private static string Conditional(string op, SockFilter insn, int next)
        => string.Create(CultureInfo.InvariantCulture, $"{op} {insn.K} true:{next + insn.Jt:d4} false:{next + insn.Jf:d4}");
}
