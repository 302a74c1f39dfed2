namespace Containers.Linux.Seccomp;

/// <summary>
/// The rules of one syscall on one architecture, merged the way libseccomp 2.5 merges them (db.c:
/// <c>db_rule_add</c>, <c>_db_rule_gen_arg_64/32</c>, <c>_db_tree_prune</c>, <c>_db_tree_add</c>).
/// </summary>
/// <remarks>
/// <para>This is an emulation of libseccomp's data structure, not a model of what the rules mean, because runc and
/// crun install what libseccomp builds and libseccomp's merge is not the plain "first matching rule wins": each rule
/// becomes a chain of 32-bit word comparisons (a 64-bit GT/GE/LT/LE is three nodes: high word greater, high word
/// equal, low word), chains are merged into shared sorted levels, a later rule whose chain extends an existing one is
/// dropped or cut, nodes of one rule are linked into several levels at once, and freeing a node unlinks it from its
/// level. Which rule applies to an argument vector then follows from walking that structure (see
/// <see cref="RuleTreeEmitter"/>), including the cases where libseccomp applies no rule although one matches, and the
/// cases where it refuses a rule with EEXIST. Everything here follows libseccomp's code paths step by step, its
/// reference counting included, so that the resulting levels are the same; the oracle tests hold the result to crun.</para>
/// </remarks>
internal sealed class SyscallRuleTree
{
    private const int EExist = -17;

    // db.c's iterator state flags (_DB_IST_*).
    private const int Match = 0x1;
    private const int MatchOnce = 0x2;
    private const int ExistingFinished = 0x10;
    private const int NewFinished = 0x20;
    private const int ExistingPrefix = 0x100;
    private const int NewPrefix = 0x200;
    private const int MatchSet = Match | MatchOnce;
    private const int Redundant = Match | ExistingFinished | NewPrefix;

    // libseccomp walks its levels without bounds; a structure that loops would hang it (and runc or crun). We
    // stop instead: no rule set that libseccomp finishes comes near this many steps.
    private const int MaxSteps = 10_000_000;

    [ThreadStatic]
    private static int t_steps;

    // Nodes made by the rule generator, and nodes _db_tree_add frees, since the last reset: db.c's node_cnt arithmetic.
    [ThreadStatic]
    private static int t_created;

    [ThreadStatic]
    private static int t_freedByAdd;

    private readonly bool _is64Bit;

    /// <summary>The root level (any node of it), or null when the syscall has one unconditional action.</summary>
    public RuleTreeNode? Chains;

    /// <summary>Creates the entry for the first rule of a syscall.</summary>
    public SyscallRuleTree(bool is64Bit, IReadOnlyList<SeccompCondition> conditions, uint action)
    {
        _is64Bit = is64Bit;
        t_steps = 0;
        t_created = 0;
        Chains = Generate(conditions, action, out uint unconditional);
        Action = unconditional;
        NodeCount = Chains is null ? 0 : t_created;
    }

    /// <summary>
    /// libseccomp's <c>node_cnt</c> for the syscall: the bookkeeping (not a count of live nodes) from which db.c
    /// derives the syscall's priority, and gen_bpf.c the order in which it lays out the syscalls.
    /// </summary>
    public int NodeCount { get; private set; }

    /// <summary>libseccomp's syscall priority without user hints: fewer chain nodes first (db.c, <c>_DB_PRI_MASK_CHAIN</c>).</summary>
    public int Priority => 0xFFFF - NodeCount;

    /// <summary>The action when <see cref="Chains"/> is null.</summary>
    public uint Action { get; private set; }

    /// <summary>
    /// Adds a later rule for the syscall. Returns false where libseccomp fails the rule with EEXIST (runc and crun
    /// then refuse the profile).
    /// </summary>
    /// <param name="conditions">At most one condition per argument (runc and crun split the others).</param>
    /// <param name="action">The rule's return value.</param>
    /// <exception cref="InvalidOperationException">The merge does not terminate (libseccomp would loop forever).</exception>
    public bool Add(IReadOnlyList<SeccompCondition> conditions, uint action)
    {
        t_steps = 0;
        t_created = 0;
        t_freedByAdd = 0;
        RuleTreeNode? added = Generate(conditions, action, out uint unconditional);
        int addedCount = added is null ? 0 : t_created;
        if (Chains is null)
        {
            // An unconditional action is already at least as wide as anything new.
            Put(ref added);
            return true;
        }

        if (added is null)
        {
            // A new unconditional rule replaces every chain.
            TreePut(ref Chains);
            Chains = null;
            Action = unconditional;
            NodeCount = 0;
            return true;
        }

        IterState state = new() { Action = action };
        int removed = Prune(ref Chains, added, state);
        if (removed > 0)
        {
            NodeCount -= removed;
            if (Chains is null)
            {
                // The whole tree was pruned: the new chain takes its place.
                Chains = added;
                NodeCount = addedCount;
                return true;
            }
        }
        else if ((state.Flags & Redundant) == Redundant)
        {
            // The existing tree is "shorter": the new rule adds nothing.
            TreePut(ref added);
            return true;
        }

        int rc = TreeAdd(ref Chains, added);
        if (rc != 0)
        {
            return false;
        }

        NodeCount += addedCount - t_freedByAdd - TreePut(ref added);
        return true;
    }

    // _db_rule_gen: the chain of one rule, arguments in index order. Null with the action in `unconditional`
    // when no comparison is left.
    private RuleTreeNode? Generate(IReadOnlyList<SeccompCondition> conditions, uint action, out uint unconditional)
    {
        SeccompCondition?[] byArg = new SeccompCondition?[6];
        foreach (SeccompCondition condition in conditions)
        {
            byArg[condition.Index] = condition;
        }

        RuleTreeNode? chains = null;
        List<RuleTreeNode> previous = [];
        bool onTrue = false;
        foreach (SeccompCondition? condition in byArg)
        {
            if (condition is null)
            {
                continue;
            }

            if (_is64Bit)
            {
                Generate64(condition, ref chains, previous, ref onTrue);
            }
            else
            {
                Generate32(condition, ref chains, previous, ref onTrue);
            }
        }

        unconditional = action;
        if (chains is null)
        {
            return null;
        }

        foreach (RuleTreeNode node in previous)
        {
            if (onTrue)
            {
                node.HasActionTrue = true;
                node.ActionTrue = action;
            }
            else
            {
                node.HasActionFalse = true;
                node.ActionFalse = action;
            }
        }

        return chains;
    }

    private static (ulong Mask, ulong Datum) MaskAndDatum(SeccompCondition condition)
        => condition.Op == SeccompComparison.MaskedEqual ? (condition.Value, condition.ValueTwo) : (ulong.MaxValue, condition.Value);

    private static void Link(List<RuleTreeNode> previous, RuleTreeNode node, bool onTrue)
    {
        foreach (RuleTreeNode p in previous)
        {
            if (onTrue)
            {
                p.NextTrue = Get(node);
            }
            else
            {
                p.NextFalse = Get(node);
            }
        }

        previous.Clear();
    }

    private static RuleTreeNode NewNode(SeccompCondition condition, bool high, SeccompComparison op, uint mask, uint datum, ulong datumFull)
    {
        t_created++;
        return new()
        {
            Arg = condition.Index,
            High = high,
            Op = op,
            OriginalOp = condition.Op,
            Mask = mask,
            Datum = datum & mask,
            DatumFull = datumFull,
        };
    }

    // _db_rule_gen_arg_64: EQ/NE/MASKED_EQ are two nodes (high word, then low word); GT/GE/LT/LE three
    // (high word greater; else high word equal; then low word greater or greater-or-equal).
    private static void Generate64(SeccompCondition condition, ref RuleTreeNode? chains, List<RuleTreeNode> previous, ref bool onTrue)
    {
        (ulong mask, ulong datum) = MaskAndDatum(condition);
        uint maskHigh = (uint)(mask >> 32);
        uint maskLow = (uint)mask;
        if (condition.Op == SeccompComparison.MaskedEqual && maskHigh == 0 && maskLow == 0)
        {
            // A comparison that always holds generates nothing.
            return;
        }

        uint datumHigh = (uint)(datum >> 32);
        uint datumLow = (uint)datum;
        RuleTreeNode first;
        switch (condition.Op)
        {
            case SeccompComparison.GreaterThan or SeccompComparison.GreaterOrEqual or SeccompComparison.LessThan or SeccompComparison.LessOrEqual:
            {
                first = NewNode(condition, true, SeccompComparison.GreaterThan, maskHigh, datumHigh, datum);
                RuleTreeNode equal = NewNode(condition, true, SeccompComparison.Equal, maskHigh, datumHigh, datum);
                SeccompComparison lowOp = condition.Op is SeccompComparison.GreaterThan or SeccompComparison.LessOrEqual
                    ? SeccompComparison.GreaterThan
                    : SeccompComparison.GreaterOrEqual;
                RuleTreeNode low = NewNode(condition, false, lowOp, maskLow, datumLow, datum);
                Link(previous, first, onTrue);
                first.NextFalse = Get(equal);
                equal.NextTrue = Get(low);
                chains ??= Get(first);
                bool greater = condition.Op is SeccompComparison.GreaterThan or SeccompComparison.GreaterOrEqual;
                previous.Add(greater ? first : equal);
                previous.Add(low);
                onTrue = greater;
                break;
            }

            default:
            {
                SeccompComparison op = condition.Op == SeccompComparison.MaskedEqual ? SeccompComparison.MaskedEqual : SeccompComparison.Equal;
                first = NewNode(condition, true, op, maskHigh, datumHigh, datum);
                RuleTreeNode low = NewNode(condition, false, op, maskLow, datumLow, datum);
                Link(previous, first, onTrue);
                first.NextTrue = Get(low);
                chains ??= Get(first);
                if (condition.Op == SeccompComparison.NotEqual)
                {
                    previous.Add(first);
                    previous.Add(low);
                    onTrue = false;
                }
                else
                {
                    previous.Add(low);
                    onTrue = true;
                }

                break;
            }
        }
    }

    // _db_rule_gen_arg_32: one node on the low word; NE, LT become EQ, GE with the action on the false branch.
    // LE becomes GT but keeps the branch of the previous comparison: libseccomp 2.5 assigns the flag through a
    // local copy of the pointer (`tf_flag = false`), and that is what runs.
    private static void Generate32(SeccompCondition condition, ref RuleTreeNode? chains, List<RuleTreeNode> previous, ref bool onTrue)
    {
        (ulong mask, ulong datum) = MaskAndDatum(condition);
        if (condition.Op == SeccompComparison.MaskedEqual && (uint)mask == 0)
        {
            return;
        }

        SeccompComparison op = condition.Op switch
        {
            SeccompComparison.NotEqual => SeccompComparison.Equal,
            SeccompComparison.LessThan => SeccompComparison.GreaterOrEqual,
            SeccompComparison.LessOrEqual => SeccompComparison.GreaterThan,
            _ => condition.Op,
        };
        RuleTreeNode node = NewNode(condition, false, op, (uint)mask, (uint)datum, datum);
        Link(previous, node, onTrue);
        previous.Add(node);
        chains ??= Get(node);
        onTrue = condition.Op switch
        {
            SeccompComparison.NotEqual or SeccompComparison.LessThan => false,
            SeccompComparison.LessOrEqual => onTrue,
            _ => true,
        };
    }

    // _db_chain_lt: the level order. Higher argument word first, then EQ/NE/MASKED_EQ before LT/LE before GT/GE,
    // then larger datum first (smaller first for LT/LE).
    private static bool Less(RuleTreeNode a, RuleTreeNode b)
    {
        if (a.ArgPriority != b.ArgPriority)
        {
            return a.ArgPriority < b.ArgPriority;
        }

        int opA = OpPriority(a.OriginalOp);
        int opB = OpPriority(b.OriginalOp);
        if (opA != opB)
        {
            return opA < opB;
        }

        return a.OriginalOp is SeccompComparison.LessThan or SeccompComparison.LessOrEqual ? a.Datum > b.Datum : a.Datum < b.Datum;
    }

    private static int OpPriority(SeccompComparison op) => op switch
    {
        SeccompComparison.MaskedEqual or SeccompComparison.Equal or SeccompComparison.NotEqual => 3,
        SeccompComparison.LessOrEqual or SeccompComparison.LessThan => 2,
        _ => 1,
    };

    // _db_chain_eq: the same word, operation, datum and mask (the original operator does not count).
    private static bool Same(RuleTreeNode a, RuleTreeNode b)
        => a.ArgPriority == b.ArgPriority && a.Op == b.Op && a.Datum == b.Datum && a.Mask == b.Mask;

    private static void Step()
    {
        if (++t_steps > MaxSteps)
        {
            throw new InvalidOperationException("libseccomp's rule merge does not terminate for this rule");
        }
    }

    private static RuleTreeNode? Get(RuleTreeNode? node)
    {
        if (node is not null)
        {
            node.RefCount++;
        }

        return node;
    }

    // _db_node_put: drops a reference; the last one unlinks the node from its level and releases its branches.
    // Returns the number of nodes freed, and moves `node` to a neighbour on the level (or null) when it is freed.
    private static int Put(ref RuleTreeNode? node)
    {
        RuleTreeNode? n = node;
        if (n is null || --n.RefCount != 0)
        {
            return 0;
        }

        int count = 0;
        RuleTreeNode? prev = n.LevelPrev;
        RuleTreeNode? next = n.LevelNext;
        RuleTreeNode? nextTrue = n.NextTrue;
        RuleTreeNode? nextFalse = n.NextFalse;
        if (prev is not null)
        {
            prev.LevelNext = null;
        }

        if (next is not null)
        {
            next.LevelPrev = null;
        }

        if (prev is not null)
        {
            count += Put(ref prev);
        }

        if (next is not null)
        {
            count += Put(ref next);
        }

        if (prev is not null)
        {
            prev.LevelNext = Get(next);
        }

        if (next is not null)
        {
            next.LevelPrev = Get(prev);
        }

        node = prev ?? next;
        count += TreePut(ref nextTrue);
        count += TreePut(ref nextFalse);
        return count + 1;
    }

    // _db_tree_put: drops a reference to a level and frees the level if nothing else points into it.
    private static int TreePut(ref RuleTreeNode? tree)
    {
        int count = Put(ref tree);
        if (tree is not null)
        {
            count += LevelClean(tree);
        }

        return count;
    }

    // _db_level_clean
    private static int LevelClean(RuleTreeNode node)
    {
        RuleTreeNode head = node.LevelHead;
        for (RuleTreeNode? n = head; n is not null; n = n.LevelNext)
        {
            Step();
            int links = (n.LevelPrev is null ? 0 : 1) + (n.LevelNext is null ? 0 : 1);
            if (n.RefCount > links)
            {
                return 0;
            }
        }

        int count = 0;
        RuleTreeNode? m = head;
        while (m is not null)
        {
            Step();
            RuleTreeNode before = m;
            count += Put(ref m);
            if (ReferenceEquals(m, before))
            {
                // libseccomp would loop here forever; no profile that gets this far reaches it.
                throw new InvalidOperationException("seccomp rule tree: a level could not be released");
            }
        }

        return count;
    }

    // _db_tree_remove: finds `node` under `tree` (dropping zombie nodes met on the way) and removes it.
    private static int TreeRemove(ref RuleTreeNode? tree, RuleTreeNode node)
    {
        if (tree is null)
        {
            return 0;
        }

        int count = 0;
        RuleTreeNode? c = tree.LevelHead;
        do
        {
            Step();
            if (ReferenceEquals(c, node))
            {
                return count + Remove(ref tree, c);
            }

            count += TreeRemove(ref c.NextTrue, node);
            count += TreeRemove(ref c.NextFalse, node);
            if (c.IsZombie)
            {
                return count + Remove(ref tree, c);
            }

            c = c.LevelNext;
        }
        while (c is not null && count == 0);

        return count;

        static int Remove(ref RuleTreeNode? tree, RuleTreeNode c)
        {
            if (ReferenceEquals(c, tree))
            {
                tree = c.LevelPrev ?? c.LevelNext;
            }

            if (c.LevelPrev is not null)
            {
                c.LevelPrev.LevelNext = c.LevelNext;
            }

            if (c.LevelNext is not null)
            {
                c.LevelNext.LevelPrev = c.LevelPrev;
            }

            c.LevelPrev = null;
            c.LevelNext = null;
            RuleTreeNode? removed = c;
            return Put(ref removed);
        }
    }

    // _db_tree_act_check: whether every action under `tree` is `action`.
    private static bool ActionsAre(RuleTreeNode? tree, uint action)
    {
        for (RuleTreeNode? c = tree?.LevelHead; c is not null; c = c.LevelNext)
        {
            Step();
            if ((c.HasActionTrue && c.ActionTrue != action) || (c.HasActionFalse && c.ActionFalse != action))
            {
                return false;
            }

            if (!ActionsAre(c.NextTrue, action) || !ActionsAre(c.NextFalse, action))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class IterState
    {
        public int Flags;
        public uint Action;

        public IterState Copy() => new() { Flags = Flags, Action = Action };
    }

    // _db_tree_prune: removes existing sub-trees that the new chain makes redundant, and records in `state`
    // whether the new chain is itself redundant. Returns the number of nodes removed.
    private int Prune(ref RuleTreeNode? existing, RuleTreeNode? added, IterState state)
    {
        int count = 0;
        IterState current = state.Copy();
        RuleTreeNode? x = existing;
        RuleTreeNode? n = added;
        if (n is null || x is null || (state.Flags & MatchSet) == MatchOnce)
        {
            return Return(state, current, count);
        }

        x = x.LevelHead;
        do
        {
            Step();
            RuleTreeNode? following = x.LevelNext;
            if (Same(x, n))
            {
                current.Flags |= MatchSet;
                if (n.IsLeaf)
                {
                    current.Flags |= NewFinished;
                }

                if (x.IsLeaf)
                {
                    current.Flags |= ExistingFinished;
                }

                // Nothing goes while the existing node has more on a branch than the new one.
                if ((x.HasActionTrue || x.NextTrue is not null) && !(n.HasActionTrue || n.NextTrue is not null))
                {
                    return Return(state, current, count);
                }

                if ((x.HasActionFalse || x.NextFalse is not null) && !(n.HasActionFalse || n.NextFalse is not null))
                {
                    return Return(state, current, count);
                }

                if ((current.Flags & NewFinished) != 0 && (current.Flags & ExistingFinished) != 0
                    && (n.HasActionTrue != x.HasActionTrue || n.ActionTrue != x.ActionTrue
                        || n.HasActionFalse != x.HasActionFalse || n.ActionFalse != x.ActionFalse))
                {
                    return Return(state, current, count);
                }

                bool gone = false;
                foreach (bool onTrue in (ReadOnlySpan<bool>)[true, false])
                {
                    RuleTreeNode? newNext = onTrue ? n.NextTrue : n.NextFalse;
                    if (newNext is null)
                    {
                        continue;
                    }

                    Get(x);
                    IterState next = state.Copy();
                    next.Flags |= MatchSet;
                    count += onTrue ? Prune(ref x.NextTrue, newNext, next) : Prune(ref x.NextFalse, newNext, next);
                    count += Put(ref x);
                    if ((next.Flags & Match) != 0)
                    {
                        current.Flags |= next.Flags;
                    }

                    if (x is null)
                    {
                        gone = true;
                        break;
                    }
                }

                if (!gone)
                {
                    bool sameActions = ActionsAre(x, current.Action);
                    if (sameActions && (current.Flags & Match) != 0 && (current.Flags & NewFinished) != 0 && (current.Flags & ExistingPrefix) != 0)
                    {
                        // The new chain is shorter: the existing sub-tree goes.
                        count += TreeRemove(ref Chains, x!);
                        if (Chains is null)
                        {
                            return Return(state, current, count);
                        }
                    }
                    else if (sameActions && (current.Flags & Match) != 0 && (current.Flags & ExistingFinished) != 0 && (current.Flags & NewPrefix) != 0)
                    {
                        // The new chain is longer.
                        return Return(state, current, count);
                    }
                }
            }
            else if (Less(x, n))
            {
                if ((state.Flags & NewPrefix) != 0)
                {
                    return Return(state, current, count);
                }

                // Look for the new node further down the existing tree.
                foreach (bool onTrue in (ReadOnlySpan<bool>)[true, false])
                {
                    if ((onTrue ? x.NextTrue : x.NextFalse) is null)
                    {
                        continue;
                    }

                    Get(x);
                    IterState next = state.Copy();
                    next.Flags = (next.Flags & ~Match) | ExistingPrefix;
                    count += onTrue ? Prune(ref x.NextTrue, n, next) : Prune(ref x.NextFalse, n, next);
                    count += Put(ref x);
                    if ((next.Flags & Match) != 0)
                    {
                        current.Flags |= next.Flags;
                        return Return(state, current, count);
                    }

                    if (x is null)
                    {
                        break;
                    }
                }
            }
            else
            {
                if ((state.Flags & ExistingPrefix) != 0)
                {
                    return Return(state, current, count);
                }

                // Look for the existing node further down the new chain.
                foreach (bool onTrue in (ReadOnlySpan<bool>)[true, false])
                {
                    RuleTreeNode? newNext = onTrue ? n.NextTrue : n.NextFalse;
                    if (newNext is null)
                    {
                        continue;
                    }

                    Get(x);
                    IterState next = state.Copy();
                    next.Flags = (next.Flags & ~Match) | NewPrefix;
                    count += Prune(ref x, newNext, next);
                    count += Put(ref x);
                    if ((next.Flags & Match) != 0)
                    {
                        current.Flags |= next.Flags;
                        return Return(state, current, count);
                    }

                    if (x is null)
                    {
                        break;
                    }
                }
            }

            x = following;
        }
        while (x is not null);

        // Falling through: nothing matched.
        current.Flags &= ~Match;
        return Return(state, current, count);

        static int Return(IterState state, IterState current, int count)
        {
            if ((current.Flags & Match) != 0)
            {
                state.Flags |= current.Flags;
            }
            else
            {
                state.Flags &= ~Match;
            }

            return count;
        }
    }

    // _db_tree_add: merges the new chain into the existing level. Returns 0, or EEXIST where two actions collide.
    private static int TreeAdd(ref RuleTreeNode? existing, RuleTreeNode added)
    {
        RuleTreeNode? x = existing;
        RuleTreeNode n = added;
        do
        {
            Step();
            if (Same(x!, n))
            {
                if (n.HasActionTrue)
                {
                    if (!x!.HasActionTrue)
                    {
                        if (!ActionsAre(x.NextTrue, n.ActionTrue))
                        {
                            return EExist;
                        }

                        t_freedByAdd += Put(ref x.NextTrue);
                        x.NextTrue = null;
                        x.ActionTrue = n.ActionTrue;
                        x.HasActionTrue = true;
                    }
                    else if (n.ActionTrue != x.ActionTrue)
                    {
                        // libseccomp lets the larger 64-bit datum decide a GT/GE conflict on the high word.
                        if (n.High && n.DatumFull > x.DatumFull)
                        {
                            x.ActionTrue = n.ActionTrue;
                        }

                        if (x.IsLeaf || n.IsLeaf)
                        {
                            return EExist;
                        }
                    }
                }

                if (n.HasActionFalse)
                {
                    if (!x!.HasActionFalse)
                    {
                        if (!ActionsAre(x.NextFalse, n.ActionFalse))
                        {
                            return EExist;
                        }

                        t_freedByAdd += Put(ref x.NextFalse);
                        x.NextFalse = null;
                        x.ActionFalse = n.ActionFalse;
                        x.HasActionFalse = true;
                    }
                    else if (n.ActionFalse != x.ActionFalse)
                    {
                        // libseccomp 2.5 writes the *true* action here (sic); reproduced as it runs.
                        if (n.High && n.DatumFull < x.DatumFull)
                        {
                            x.ActionTrue = n.ActionTrue;
                        }

                        if (x.IsLeaf || n.IsLeaf)
                        {
                            return EExist;
                        }
                    }
                }

                if (n.NextTrue is not null)
                {
                    if (x!.NextTrue is not null)
                    {
                        int rc = TreeAdd(ref x.NextTrue, n.NextTrue);
                        if (rc != 0)
                        {
                            return rc;
                        }
                    }
                    else if (!x.HasActionTrue)
                    {
                        x.NextTrue = Get(n.NextTrue);
                    }
                    else
                    {
                        // The existing chain is shorter.
                        return 0;
                    }
                }

                if (n.NextFalse is not null)
                {
                    if (x!.NextFalse is not null)
                    {
                        int rc = TreeAdd(ref x.NextFalse, n.NextFalse);
                        if (rc != 0)
                        {
                            return rc;
                        }
                    }
                    else if (!x.HasActionFalse)
                    {
                        x.NextFalse = Get(n.NextFalse);
                    }
                    else
                    {
                        return 0;
                    }
                }

                return 0;
            }
            else if (!Less(x!, n))
            {
                if (x!.LevelNext is null)
                {
                    // Append to the level.
                    n.LevelPrev = Get(x);
                    x.LevelNext = Get(n);
                    return 0;
                }

                x = x.LevelNext;
            }
            else
            {
                // Insert before x.
                if (x!.LevelPrev is not null)
                {
                    x.LevelPrev.LevelNext = Get(n);
                    n.LevelPrev = x.LevelPrev;
                    x.LevelPrev = Get(n);
                    n.LevelNext = x;
                }
                else
                {
                    x.LevelPrev = Get(n);
                    n.LevelNext = Get(x);
                }

                if (ReferenceEquals(existing, x))
                {
                    existing = Get(n);
                    Put(ref x);
                }

                return 0;
            }
        }
        while (x is not null);

        return 0;
    }
}
