using System.Buffers.Binary;

namespace Containers.Linux.Cgroups;

/// <summary>
/// Compiles device rules to a BPF_PROG_TYPE_CGROUP_DEVICE program, the cgroup v2 replacement for
/// devices.allow/deny. The program sees <c>struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
/// u32 minor; }</c> (access_type = access &lt;&lt; 16 | type) and returns 1 to allow, 0 to deny.
/// Rules are tested last to first so the last matching rule decides, as with v1's lists.
/// </summary>
internal static class DeviceFilterCompiler
{
    private const byte LdxMemW = 0x61;      // BPF_LDX | BPF_MEM | BPF_W
    private const byte Alu32AndK = 0x54;    // BPF_ALU | BPF_AND | BPF_K
    private const byte Alu32RshK = 0x74;    // BPF_ALU | BPF_RSH | BPF_K
    private const byte Alu32MovK = 0xb4;    // BPF_ALU | BPF_MOV | BPF_K
    private const byte Alu32MovX = 0xbc;    // BPF_ALU | BPF_MOV | BPF_X
    private const byte Jmp32JneK = 0x56;    // BPF_JMP32 | BPF_JNE | BPF_K (32-bit compare: device numbers are u32)
    private const byte Jmp32JeqK = 0x16;    // BPF_JMP32 | BPF_JEQ | BPF_K
    private const byte Exit = 0x95;         // BPF_JMP | BPF_EXIT

    private const int DevBlock = 1;
    private const int DevChar = 2;

    /// <summary>Returns the program as raw 8-byte instructions.</summary>
    public static byte[] Compile(IList<CgroupDeviceRule> rules)
    {
        DeviceRuleSet set = DeviceRuleSet.From(rules);
        List<ulong> program =
        [
            Insn(LdxMemW, 2, 1, 0, 0),   // r2 = ctx->access_type
            Insn(Alu32AndK, 2, 0, 0, 0xFFFF), // r2 = type
            Insn(LdxMemW, 3, 1, 0, 0),   // r3 = ctx->access_type
            Insn(Alu32RshK, 3, 0, 0, 16), // r3 = access
            Insn(LdxMemW, 4, 1, 4, 0),   // r4 = major
            Insn(LdxMemW, 5, 1, 8, 0),   // r5 = minor
        ];

        for (int i = set.Exceptions.Count - 1; i >= 0; i--)
        {
            program.AddRange(Block(set.Exceptions[i]));
        }

        program.Add(Insn(Alu32MovK, 0, 0, 0, set.DefaultAllow ? 1 : 0));
        program.Add(Insn(Exit, 0, 0, 0, 0));

        byte[] bytes = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), program[i]);
        }

        return bytes;
    }

    private static List<ulong> Block(CgroupDeviceRule rule)
    {
        // Each test is a (kind, operand) pair; jumps skip to the end of the block when a test fails.
        List<(byte Code, int Register, int Imm, bool LoadAccess, int Mask)> tests = [];
        if (rule.Type != 'a')
        {
            tests.Add((Jmp32JneK, 2, rule.Type == 'b' ? DevBlock : DevChar, false, 0));
        }

        int access = (rule.Access.Contains('m', StringComparison.Ordinal) ? 1 : 0)
            | (rule.Access.Contains('r', StringComparison.Ordinal) ? 2 : 0)
            | (rule.Access.Contains('w', StringComparison.Ordinal) ? 4 : 0);
        if (access != 7)
        {
            // Allow: every requested access must be granted (request & ~rule == 0), the kernel's
            // v1 rule for allow-lists. Deny: any overlap denies (request & rule != 0).
            tests.Add(rule.Allow ? (Jmp32JneK, 1, 0, true, ~access & 7) : (Jmp32JeqK, 1, 0, true, access));
        }

        if (rule.Major is long major)
        {
            tests.Add((Jmp32JneK, 4, unchecked((int)(uint)major), false, 0));
        }

        if (rule.Minor is long minor)
        {
            tests.Add((Jmp32JneK, 5, unchecked((int)(uint)minor), false, 0));
        }

        int length = tests.Sum(t => t.LoadAccess ? 3 : 1) + 2;
        List<ulong> block = [];
        foreach ((byte code, int register, int imm, bool loadAccess, int mask) in tests)
        {
            if (loadAccess)
            {
                block.Add(Insn(Alu32MovX, 1, 3, 0, 0));
                block.Add(Insn(Alu32AndK, 1, 0, 0, mask));
            }

            // Offset counts from the next instruction to the first one after the block.
            block.Add(Insn(code, register, 0, (short)(length - block.Count - 1), imm));
        }

        block.Add(Insn(Alu32MovK, 0, 0, 0, rule.Allow ? 1 : 0));
        block.Add(Insn(Exit, 0, 0, 0, 0));
        return block;
    }

    private static ulong Insn(byte code, int dst, int src, short offset, int imm)
        => code | ((ulong)(byte)((src << 4) | dst) << 8) | ((ulong)(ushort)offset << 16) | ((ulong)(uint)imm << 32);
}
