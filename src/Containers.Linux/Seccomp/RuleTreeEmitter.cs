namespace Containers.Linux.Seccomp;

/// <summary>
/// Turns the argument trees of <see cref="SyscallRuleTree"/> into BPF the way libseccomp's gen_bpf.c walks them:
/// the nodes of a level are tested in level order; a branch goes to its lower level, else to its action, else on to
/// the next node of the level; a lower level that is exhausted continues with the node after its parent, and the
/// last node of the top level continues with the default action. A level is always entered at its first node, from
/// whichever node it is reached.
/// </summary>
/// <remarks>
/// Nodes are shared, so one level can be reached with different continuations: each (level, continuation) pair is
/// one block sequence, emitted once, and blocks are laid out in topological order because classic BPF only jumps
/// forward.
/// </remarks>
internal sealed class RuleTreeEmitter(BpfAssembler asm, SeccompArchitectureInfo arch, Func<uint, int> returnLabel)
{
    // Far deeper than any chain of six arguments can nest; only a cyclic structure gets there.
    private const int MaxDepth = 64;

    private readonly Dictionary<(RuleTreeNode Head, Target Continuation), Target> _levels = [];
    private readonly List<Block> _roots = [];

    /// <summary>Plans the tree of one syscall and returns the label its code will start at.</summary>
    public int Plan(RuleTreeNode chains, uint defaultRet)
    {
        Target root = Level(chains, new Target(null, defaultRet), 0);
        _roots.Add(root.Block!);
        return root.Block!.Label;
    }

    /// <summary>Emits every planned block.</summary>
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

    private Target Level(RuleTreeNode any, Target continuation, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException("seccomp rule tree is cyclic");
        }

        RuleTreeNode head = any.LevelHead;
        if (_levels.TryGetValue((head, continuation), out Target known))
        {
            return known;
        }

        List<RuleTreeNode> nodes = [];
        for (RuleTreeNode? n = head; n is not null; n = n.LevelNext)
        {
            nodes.Add(nodes.Count < RuleTreeNode.MaxLevelLength ? n : throw new InvalidOperationException("seccomp rule tree: a level loops"));
        }

        Target next = continuation;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            RuleTreeNode node = nodes[i];
            Target whenTrue = node.NextTrue is not null ? Level(node.NextTrue, next, depth + 1)
                : node.HasActionTrue ? new Target(null, node.ActionTrue) : next;
            Target whenFalse = node.NextFalse is not null ? Level(node.NextFalse, next, depth + 1)
                : node.HasActionFalse ? new Target(null, node.ActionFalse) : next;
            next = new Target(new Block(node, whenTrue, whenFalse, asm.NewLabel()), 0);
        }

        _levels[(head, continuation)] = next;
        return next;
    }

    private void Emit(Block block)
    {
        RuleTreeNode node = block.Node;
        // The high word of a 64-bit argument is the second in memory on little-endian machines; a 32-bit
        // architecture compares the low word only.
        bool secondWord = arch.Is64Bit ? node.High != arch.BigEndian : arch.BigEndian;
        uint offset = Bpf.OffsetArgs + (8 * (uint)node.Arg) + (secondWord ? 4u : 0u);
        asm.Bind(block.Label);
        asm.Load(offset);
        if (node.Mask != uint.MaxValue)
        {
            asm.Emit(Bpf.AndK, node.Mask);
        }

        ushort jump = node.Op switch
        {
            SeccompComparison.GreaterThan => Bpf.JgtK,
            SeccompComparison.GreaterOrEqual => Bpf.JgeK,
            _ => Bpf.JeqK,
        };
        asm.Jump(jump, node.Datum, LabelOf(block.True), LabelOf(block.False));
    }

    private int LabelOf(Target target) => target.Block?.Label ?? returnLabel(target.Ret);

    // Where a branch goes: a block, or (Block null) a return value.
    private readonly record struct Target(Block? Block, uint Ret);

    private sealed record Block(RuleTreeNode Node, Target True, Target False, int Label)
    {
        // Identity, not value: two blocks with equal fields are still two places in the program.
        public bool Equals(Block? other) => ReferenceEquals(this, other);

        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
    }
}
