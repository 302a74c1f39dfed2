namespace Containers.Linux.Seccomp;

/// <summary>
/// The order in which libseccomp's filter tests the conditional rules of one syscall. libseccomp keeps each
/// rule's conditions as a chain sorted by priority and the rules of a syscall as a tree whose levels are
/// sorted the same way (db.c, <c>_db_chain_lt</c>): higher argument index first; then EQ/NE/MASKED_EQ
/// before LT/LE before GT/GE; then larger datum first (smaller first for LT/LE). A rule whose chain is a
/// prefix of another's wins over it, so shorter chains come first. Equal chains keep profile order.
/// </summary>
internal sealed class RuleOrder(bool is64Bit) : IComparer<IReadOnlyList<SeccompCondition>>, IComparer<SeccompCondition>
{
    /// <summary>Sorts a rule's conditions, highest priority first.</summary>
    internal SeccompCondition[] Chain(IReadOnlyList<SeccompCondition> conditions)
    {
        SeccompCondition[] chain = [.. conditions];
        Array.Sort(chain, this);
        return chain;
    }

    /// <inheritdoc />
    public int Compare(IReadOnlyList<SeccompCondition>? x, IReadOnlyList<SeccompCondition>? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
        {
            int c = Compare(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return x.Count.CompareTo(y.Count);
    }

    /// <summary>Negative when <paramref name="x"/> is tested before <paramref name="y"/>.</summary>
    public int Compare(SeccompCondition? x, SeccompCondition? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Index != y.Index)
        {
            return y.Index.CompareTo(x.Index);
        }

        int px = OpPriority(x.Op);
        int py = OpPriority(y.Op);
        if (px != py)
        {
            return py.CompareTo(px);
        }

        ulong dx = Datum(x);
        ulong dy = Datum(y);
        if (dx != dy)
        {
            bool lessFirst = x.Op is SeccompComparison.LessThan or SeccompComparison.LessOrEqual;
            return lessFirst ? dx.CompareTo(dy) : dy.CompareTo(dx);
        }

        // Same priority and datum but a different operator (GT vs GE, EQ vs NE): any fixed order will do.
        int byOp = ((int)x.Op).CompareTo((int)y.Op);
        return byOp != 0 ? byOp : y.Value.CompareTo(x.Value);
    }

    private ulong Datum(SeccompCondition condition)
    {
        ulong datum = condition.Op == SeccompComparison.MaskedEqual ? condition.ValueTwo : condition.Value;
        return is64Bit ? datum : datum & uint.MaxValue;
    }

    private static int OpPriority(SeccompComparison op) => op switch
    {
        SeccompComparison.MaskedEqual or SeccompComparison.Equal or SeccompComparison.NotEqual => 3,
        SeccompComparison.LessOrEqual or SeccompComparison.LessThan => 2,
        _ => 1,
    };
}
