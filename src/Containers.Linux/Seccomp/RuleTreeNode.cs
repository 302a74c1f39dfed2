namespace Containers.Linux.Seccomp;

/// <summary>
/// One node of libseccomp's per-syscall argument tree (db.c, <c>struct db_arg_chain_tree</c>): a comparison of one
/// 32-bit word of an argument. Nodes on one level are linked through <see cref="LevelPrev"/>/<see cref="LevelNext"/>,
/// sorted by priority; a branch leads either to a lower level (<see cref="NextTrue"/>, <see cref="NextFalse"/>), to an
/// action, or — when it has neither — on to the next node of the level. Nodes are shared between branches and
/// counted (<see cref="RefCount"/>) exactly as libseccomp counts them, because freeing a node unlinks it from its
/// level and so changes what other branches see.
/// </summary>
/// <remarks>Fields, not properties: the tree code passes links by reference, as libseccomp passes pointers to them.</remarks>
internal sealed class RuleTreeNode
{
    /// <summary>More nodes than any level of six arguments' comparisons can hold: a level this long loops.</summary>
    public const int MaxLevelLength = 1 << 20;

    /// <summary>Argument index 0..5.</summary>
    public int Arg;

    /// <summary>Whether this compares the high word of a 64-bit argument.</summary>
    public bool High;

    /// <summary>The comparison the node makes: <see cref="SeccompComparison.Equal"/>, <see cref="SeccompComparison.MaskedEqual"/>, <see cref="SeccompComparison.GreaterThan"/> or <see cref="SeccompComparison.GreaterOrEqual"/>.</summary>
    public SeccompComparison Op;

    /// <summary>The operator of the rule the node came from (orders nodes on a level).</summary>
    public SeccompComparison OriginalOp;

    /// <summary>Mask applied to the word before comparing.</summary>
    public uint Mask;

    /// <summary>The word compared with (already masked).</summary>
    public uint Datum;

    /// <summary>The rule's whole 64-bit datum.</summary>
    public ulong DatumFull;

    public RuleTreeNode? NextTrue;
    public RuleTreeNode? NextFalse;
    public RuleTreeNode? LevelPrev;
    public RuleTreeNode? LevelNext;

    public bool HasActionTrue;
    public uint ActionTrue;
    public bool HasActionFalse;
    public uint ActionFalse;

    public int RefCount;

    /// <summary>Level priority of the argument word: higher arguments first, the high word before the low one.</summary>
    public int ArgPriority => (Arg << 1) + (High ? 1 : 0);

    /// <summary>No lower level on either branch.</summary>
    public bool IsLeaf => NextTrue is null && NextFalse is null;

    /// <summary>A leaf with no action on either branch.</summary>
    public bool IsZombie => IsLeaf && !HasActionTrue && !HasActionFalse;

    /// <summary>The first node of this node's level.</summary>
    public RuleTreeNode LevelHead
    {
        get
        {
            RuleTreeNode head = this;
            for (int steps = 0; head.LevelPrev is not null; steps++)
            {
                head = steps < MaxLevelLength ? head.LevelPrev : throw new InvalidOperationException("seccomp rule tree: a level loops");
            }

            return head;
        }
    }
}
