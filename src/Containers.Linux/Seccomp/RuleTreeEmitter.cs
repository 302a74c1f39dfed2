namespace Containers.Linux.Seccomp;

/// <summary>
/// Turns the argument trees of <see cref="SyscallRuleTree"/> into the argument-checking blocks libseccomp 2.5.4's
/// gen_bpf.c makes of them, accumulator tracking included, and emits those blocks. What the program decides then
/// equals what libseccomp's program decides, including where libseccomp's program compares a stale accumulator.
/// </summary>
/// <remarks>
/// <para>gen_bpf.c walks a level's nodes in order; a branch goes to its lower level, else to its action, else on to the
/// next node of the level; a lower level that is exhausted continues with the node after its parent, the last node of
/// the top level with the default action. Each node's block loads its argument word only when the accumulator state
/// it assumes (the one the previous node of the level left, or the parent's for a level's first node) holds another
/// word or a narrower mask; otherwise it compares the accumulator as it finds it. That assumption is wrong when the
/// node is reached from the end of its predecessor's lower level, which loaded another word. libseccomp repairs this
/// once per block, while it lays out the program: the first jump that pulls a block into place (a depth-first walk
/// from the end of the program) prepends a load when that jump's source left another state; the other jumps to the
/// block get no repair. Blocks are shared when their instructions and accumulator states are equal, across syscalls
/// and architectures, so the walk runs over the whole filter in libseccomp's order (<see cref="ResolveReloads"/>).</para>
/// <para>Only the decisions are reproduced, not libseccomp's layout: the blocks are laid out in topological order
/// (classic BPF only jumps forward) with the compiler's own dispatch in front; the accumulator a block sees on every
/// path is the same as in libseccomp's program because every block has the same loads and edges.</para>
/// </remarks>
internal sealed class RuleTreeEmitter(BpfAssembler asm, Func<uint, int> returnLabel)
{
    // Far deeper than any chain of six arguments can nest; only a cyclic structure gets there.
    private const int MaxDepth = 64;

    // _ACC_STATE_UNDEF's offset, and the syscall number's offset in struct seccomp_data.
    private const int Undefined = -1;
    private const int SyscallOffset = 0;

    private static readonly AccState Unknown = new(Undefined, uint.MaxValue);

    private readonly Dictionary<BlockKey, Block> _blocks = [];
    private readonly Dictionary<(RuleTreeNode Head, Target Next, AccState Acc, bool BigEndian), Target> _levels = [];
    private readonly HashSet<Block> _pulled = [];
    private readonly List<Block> _roots = [];

    /// <summary>Plans the blocks of one syscall's tree; returns the label its code starts at.</summary>
    public int Plan(SeccompArchitectureInfo arch, RuleTreeNode chains, uint defaultRet)
    {
        // _gen_bpf_syscall: the chain starts with the syscall number loaded, or nothing known.
        Target head = Level(arch, chains, new Target(null, defaultRet), Unknown, 0);
        if (head.Block is null || head.Block.AccStart.Offset != Undefined)
        {
            // The first node always loads its word (argument offsets are not the number's), so the dispatch in
            // front may leave any value in the accumulator.
            throw new InvalidOperationException("seccomp: a syscall's first argument block does not load its argument");
        }

        _roots.Add(head.Block);
        return head.Block.Label;
    }

    /// <summary>
    /// libseccomp's layout walk (_gen_bpf_build_bpf, "pull in all of the TGT_PTR_HSH jumps"): from the end of the
    /// program backwards, each syscall's block pulls its chain in depth first, true branch before false branch, and
    /// the first jump that pulls a block decides whether a load is prepended to it.
    /// </summary>
    /// <param name="syscallsInWalkOrder">Each syscall's first block (from <see cref="Plan"/>'s order of calls, by index),
    /// in the order libseccomp's walk reaches the syscalls: the last architecture's lowest-priority syscall first.</param>
    public void ResolveReloads(IEnumerable<int> syscallsInWalkOrder)
    {
        Stack<(Block Block, int Step)> stack = new();
        foreach (int index in syscallsInWalkOrder)
        {
            // The syscall's own block left the number in the accumulator; the chain's first block loads anyway.
            Pull(_roots[index], new AccState(SyscallOffset, uint.MaxValue), stack);
            while (stack.Count > 0)
            {
                (Block block, int step) = stack.Pop();
                if (step >= 2)
                {
                    continue;
                }

                stack.Push((block, step + 1));
                Block? target = step == 0 ? block.True.Block : block.False.Block;
                if (target is not null)
                {
                    Pull(target, block.AccEnd, stack);
                }
            }
        }
    }

    /// <summary>Emits every planned block reachable from a syscall.</summary>
    public void EmitPlanned()
    {
        HashSet<Block> seen = [];
        List<Block> postOrder = [];
        foreach (Block root in _roots)
        {
            Visit(root, seen, postOrder);
        }

        for (int i = postOrder.Count - 1; i >= 0; i--)
        {
            Emit(postOrder[i]);
        }

        _roots.Clear();
        _levels.Clear();
        _blocks.Clear();
        _pulled.Clear();
    }

    private void Pull(Block target, AccState sourceEnd, Stack<(Block, int)> stack)
    {
        if (!_pulled.Add(target))
        {
            return;
        }

        if (target.AccStart.Offset != Undefined && target.AccStart != sourceEnd)
        {
            target.Reload = target.AccStart;
        }

        stack.Push((target, 0));
    }

    private static void Visit(Block block, HashSet<Block> seen, List<Block> postOrder)
    {
        // Iterative depth-first search: post-order, so reversed it puts every block before the blocks it jumps to.
        if (!seen.Add(block))
        {
            return;
        }

        Stack<(Block Block, int Step)> stack = new();
        stack.Push((block, 0));
        while (stack.Count > 0)
        {
            (Block current, int step) = stack.Pop();
            Block? child = step switch
            {
                0 => current.True.Block,
                1 => current.False.Block,
                _ => null,
            };
            if (step >= 2)
            {
                postOrder.Add(current);
                continue;
            }

            stack.Push((current, step + 1));
            if (child is not null && seen.Add(child))
            {
                stack.Push((child, 0));
            }
        }
    }

    // _gen_bpf_chain: the blocks of one level, entered with accumulator state `acc`, continuing with `next` when the
    // level is exhausted. Levels are regenerated per (continuation, state) as libseccomp regenerates them; equal
    // blocks are one block (_hsh_add compares instructions and both accumulator states).
    private Target Level(SeccompArchitectureInfo arch, RuleTreeNode any, Target next, AccState acc, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException("seccomp rule tree is cyclic");
        }

        RuleTreeNode head = any.LevelHead;
        if (_levels.TryGetValue((head, next, acc, arch.BigEndian), out Target known))
        {
            return known;
        }

        List<RuleTreeNode> nodes = [];
        for (RuleTreeNode? n = head; n is not null; n = n.LevelNext)
        {
            nodes.Add(nodes.Count < RuleTreeNode.MaxLevelLength ? n : throw new InvalidOperationException("seccomp rule tree: a level loops"));
        }

        // _gen_bpf_node: the accumulator state runs through the level in order, as if each node were entered from
        // the one before it.
        var shapes = new (int Load, uint? And, AccState Start, AccState End)[nodes.Count];
        AccState running = acc;
        for (int i = 0; i < nodes.Count; i++)
        {
            RuleTreeNode node = nodes[i];
            int offset = Offset(arch, node);
            AccState start = running;
            int load = Undefined;
            if (offset != running.Offset || (node.Mask & running.Mask) != node.Mask)
            {
                load = offset;
                running = new AccState(offset, uint.MaxValue);
                start = Unknown;
            }

            uint? and = null;
            if (node.Mask != running.Mask)
            {
                and = node.Mask;
                running = running with { Mask = node.Mask };
            }

            shapes[i] = (load, and, start, running);
        }

        // Resolved from the last node to the first, as _gen_bpf_chain does: a node's fall-through is the next block.
        Target following = next;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            RuleTreeNode node = nodes[i];
            (int load, uint? and, AccState start, AccState end) = shapes[i];
            Target whenTrue = node.NextTrue is not null ? Level(arch, node.NextTrue, following, end, depth + 1)
                : node.HasActionTrue ? new Target(null, node.ActionTrue) : following;
            Target whenFalse = node.NextFalse is not null ? Level(arch, node.NextFalse, following, end, depth + 1)
                : node.HasActionFalse ? new Target(null, node.ActionFalse) : following;
            ushort jump = node.Op switch
            {
                SeccompComparison.GreaterThan => Bpf.JgtK,
                SeccompComparison.GreaterOrEqual => Bpf.JgeK,
                _ => Bpf.JeqK,
            };
            BlockKey key = new(arch.BigEndian, load, and, jump, node.Datum, whenTrue, whenFalse, start, end);
            if (!_blocks.TryGetValue(key, out Block? block))
            {
                _blocks[key] = block = new Block(key, asm.NewLabel());
            }

            following = new Target(block, 0);
        }

        _levels[(head, next, acc, arch.BigEndian)] = following;
        return following;
    }

    // The high word of a 64-bit argument is the second in memory on little-endian machines; a 32-bit architecture
    // compares the low word only.
    private static int Offset(SeccompArchitectureInfo arch, RuleTreeNode node)
    {
        bool secondWord = arch.Is64Bit ? node.High != arch.BigEndian : arch.BigEndian;
        return (int)Bpf.OffsetArgs + (8 * node.Arg) + (secondWord ? 4 : 0);
    }

    private void Emit(Block block)
    {
        asm.Bind(block.Label);
        if (block.Reload is AccState reload)
        {
            // The load libseccomp prepends when it lays the block out behind a jump that left another state.
            asm.Load((uint)reload.Offset);
            if (reload.Mask != uint.MaxValue)
            {
                asm.Emit(Bpf.AndK, reload.Mask);
            }
        }

        BlockKey key = block.Key;
        if (key.Load != Undefined)
        {
            asm.Load((uint)key.Load);
        }

        if (key.And is uint mask)
        {
            asm.Emit(Bpf.AndK, mask);
        }

        asm.Jump(key.Jump, key.Datum, LabelOf(key.True), LabelOf(key.False));
    }

    private int LabelOf(Target target) => target.Block?.Label ?? returnLabel(target.Ret);

    // gen_bpf.c's struct acc_state: which word the accumulator holds (offset, or Undefined) and the mask applied.
    private readonly record struct AccState(int Offset, uint Mask);

    // Where a branch goes: a block, or (Block null) a return value.
    private readonly record struct Target(Block? Block, uint Ret);

    // What makes two of libseccomp's blocks one: the instructions (byte order included) and both accumulator states.
    private readonly record struct BlockKey(bool BigEndian, int Load, uint? And, ushort Jump, uint Datum, Target True, Target False,
        AccState AccStart, AccState AccEnd);

    // Identity, not value: the key is the value; a block is one place in the program.
    private sealed class Block(BlockKey key, int label)
    {
        public BlockKey Key { get; } = key;

        public int Label { get; } = label;

        public Target True => Key.True;

        public Target False => Key.False;

        public AccState AccStart => Key.AccStart;

        public AccState AccEnd => Key.AccEnd;

        // Set by the layout walk: the state libseccomp reloads at the block's start.
        public AccState? Reload { get; set; }
    }
}
