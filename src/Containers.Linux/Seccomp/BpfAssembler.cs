namespace Containers.Linux.Seccomp;

/// <summary>
/// Collects BPF instructions whose jumps name labels, then lays them out. Classic BPF jumps only
/// forward, and a conditional jump reaches at most 255 instructions; a branch that must go further is
/// bent through a trampoline (<c>ja</c>, 32-bit reach) placed right after the jump. Layout is repeated
/// until no branch needs a new trampoline, which terminates because trampolines are only ever added.
/// </summary>
internal sealed class BpfAssembler
{
    /// <summary>A branch target meaning "the next instruction".</summary>
    internal const int Next = -1;

    private readonly List<Insn> _code = [];
    private readonly List<int> _labels = [];

    /// <summary>Number of instructions emitted so far (before trampolines).</summary>
    internal int Count => _code.Count;

    /// <summary>Creates an unbound label.</summary>
    internal int NewLabel()
    {
        _labels.Add(-1);
        return _labels.Count - 1;
    }

    /// <summary>Binds <paramref name="label"/> to the next instruction emitted.</summary>
    internal void Bind(int label) => _labels[label] = _code.Count;

    /// <summary>Emits a non-jump instruction.</summary>
    internal void Emit(ushort code, uint k) => _code.Add(new Insn(code, k, Next, Next, IsJa: false));

    /// <summary>Emits a conditional jump to <paramref name="whenTrue"/> / <paramref name="whenFalse"/> (labels or <see cref="Next"/>).</summary>
    internal void Jump(ushort code, uint k, int whenTrue, int whenFalse) => _code.Add(new Insn(code, k, whenTrue, whenFalse, IsJa: false));

    /// <summary>Emits an unconditional jump.</summary>
    internal void Goto(int label) => _code.Add(new Insn(Bpf.JmpJa, 0, label, Next, IsJa: true));

    /// <summary>Emits <c>ret #value</c>.</summary>
    internal void Return(uint value) => Emit(Bpf.RetK, value);

    /// <summary>Emits <c>ld [offset]</c>.</summary>
    internal void Load(uint offset) => Emit(Bpf.LdAbsW, offset);

    /// <summary>Resolves every label and returns the final program.</summary>
    internal SockFilter[] Link()
    {
        int n = _code.Count;
        bool[] farTrue = new bool[n];
        bool[] farFalse = new bool[n];
        int[] position = new int[n + 1];
        while (true)
        {
            int at = 0;
            for (int i = 0; i < n; i++)
            {
                position[i] = at;
                at += 1 + (farTrue[i] ? 1 : 0) + (farFalse[i] ? 1 : 0);
            }

            position[n] = at;
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                Insn insn = _code[i];
                if (insn.IsJa || !IsConditional(insn.Code))
                {
                    continue;
                }

                int from = position[i] + 1;
                if (!farTrue[i] && Target(insn.True, i, position) - from > byte.MaxValue)
                {
                    farTrue[i] = changed = true;
                }

                if (!farFalse[i] && Target(insn.False, i, position) - from > byte.MaxValue)
                {
                    farFalse[i] = changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        SockFilter[] program = new SockFilter[position[n]];
        for (int i = 0; i < n; i++)
        {
            Insn insn = _code[i];
            int at = position[i];
            int from = at + 1;
            if (insn.IsJa)
            {
                program[at] = new SockFilter(Bpf.JmpJa, 0, 0, checked((uint)Forward(Target(insn.True, i, position) - from)));
                continue;
            }

            if (!IsConditional(insn.Code))
            {
                program[at] = new SockFilter(insn.Code, 0, 0, insn.K);
                continue;
            }

            int trampoline = from;
            byte jt;
            byte jf;
            if (farTrue[i])
            {
                jt = (byte)(trampoline - from);
                program[trampoline] = new SockFilter(Bpf.JmpJa, 0, 0, (uint)Forward(Target(insn.True, i, position) - (trampoline + 1)));
                trampoline++;
            }
            else
            {
                jt = (byte)Forward(Target(insn.True, i, position) - from);
            }

            if (farFalse[i])
            {
                jf = (byte)(trampoline - from);
                program[trampoline] = new SockFilter(Bpf.JmpJa, 0, 0, (uint)Forward(Target(insn.False, i, position) - (trampoline + 1)));
            }
            else
            {
                jf = (byte)Forward(Target(insn.False, i, position) - from);
            }

            program[at] = new SockFilter(insn.Code, jt, jf, insn.K);
        }

        return program;
    }

    private static bool IsConditional(ushort code) => (code & 0x07) == Bpf.Jmp && (code & 0xf0) != Bpf.Ja;

    private int Target(int label, int index, int[] position)
    {
        if (label == Next)
        {
            return position[index + 1];
        }

        int bound = _labels[label];
        if (bound < 0)
        {
            throw new InvalidOperationException($"BPF label {label} was never bound");
        }

        return position[bound];
    }

    private static int Forward(int offset) => offset >= 0
        ? offset
        : throw new InvalidOperationException("classic BPF cannot jump backwards");

    private readonly record struct Insn(ushort Code, uint K, int True, int False, bool IsJa);
}
