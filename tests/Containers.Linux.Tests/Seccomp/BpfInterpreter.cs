using System.Buffers.Binary;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// Runs a classic BPF seccomp program (host byte order, 8 bytes per instruction) on an x86_64 <c>seccomp_data</c>:
/// the instructions libseccomp and our compiler emit (ld abs, and, ja/jeq/jgt/jge/jset, ret). Lets tests compare two
/// programs on many argument vectors without installing either.
/// </summary>
internal static class BpfInterpreter
{
    public const uint AuditArchX8664 = 0xc000003e;

    public const uint AuditArchI386 = 0x40000003;

    public static uint Run(ReadOnlySpan<byte> program, int nr, ReadOnlySpan<ulong> args, uint arch = AuditArchX8664)
        => Run(program, nr, args, null, out _, arch);

    /// <summary>
    /// For each instruction, whether the accumulator can reach it loaded from more than one offset: a comparison
    /// there reads a different word depending on the path taken. libseccomp 2.5's gen_bpf.c leaves out a reload
    /// when the block placed before a comparison loaded the same word, although other paths (a lower level that
    /// ran out of nodes) reach it with another word loaded; the comparison then tests that stale word.
    /// </summary>
    public static bool[] StaleAccumulatorSites(ReadOnlySpan<byte> program)
    {
        int count = program.Length / 8;
        HashSet<uint>[] sources = new HashSet<uint>[count + 1];
        for (int i = 0; i <= count; i++)
        {
            sources[i] = [];
        }

        sources[0].Add(uint.MaxValue);
        bool[] stale = new bool[count];
        for (int pc = 0; pc < count; pc++)
        {
            ReadOnlySpan<byte> insn = program.Slice(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            HashSet<uint> after = code == 0x20 ? [k] : sources[pc];
            bool conditional = code is 0x15 or 0x25 or 0x35 or 0x45;
            stale[pc] = conditional && sources[pc].Count > 1;
            if (code == 0x06)
            {
                continue;
            }

            int[] next = code == 0x05 ? [pc + 1 + (int)k] : conditional ? [pc + 1 + insn[2], pc + 1 + insn[3]] : [pc + 1];
            foreach (int n in next)
            {
                sources[Math.Min(n, count)].UnionWith(after);
            }
        }

        return stale;
    }

    /// <summary>Runs the program; <paramref name="staleHit"/> tells whether it took a decision at a <see cref="StaleAccumulatorSites"/> site.</summary>
    public static uint Run(ReadOnlySpan<byte> program, int nr, ReadOnlySpan<ulong> args, bool[]? staleSites, out bool staleHit, uint arch = AuditArchX8664)
    {
        staleHit = false;
        Span<byte> data = stackalloc byte[64];
        data.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], arch);
        for (int i = 0; i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data[(16 + (8 * i))..], args[i]);
        }

        uint a = 0;
        int pc = 0;
        int count = program.Length / 8;
        while (pc < count)
        {
            ReadOnlySpan<byte> insn = program.Slice(pc * 8, 8);
            ushort code = BinaryPrimitives.ReadUInt16LittleEndian(insn);
            byte jt = insn[2];
            byte jf = insn[3];
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(insn[4..]);
            staleHit |= staleSites is not null && staleSites[pc];
            pc++;
            switch (code)
            {
                case 0x20: // ld [k]
                    a = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)k..]);
                    break;
                case 0x54: // and #k
                    a &= k;
                    break;
                case 0x05: // ja
                    pc += (int)k;
                    break;
                case 0x15: // jeq
                    pc += a == k ? jt : jf;
                    break;
                case 0x25: // jgt
                    pc += a > k ? jt : jf;
                    break;
                case 0x35: // jge
                    pc += a >= k ? jt : jf;
                    break;
                case 0x45: // jset
                    pc += (a & k) != 0 ? jt : jf;
                    break;
                case 0x06: // ret #k
                    return k;
                default:
                    throw new InvalidOperationException($"BPF instruction 0x{code:x4} at {pc - 1} is not handled");
            }
        }

        throw new InvalidOperationException("BPF program ran off its end");
    }
}
