namespace Containers.Linux.Seccomp;

/// <summary>
/// The order in which libseccomp's filter tests the conditional rules of one syscall. libseccomp keeps each
/// rule's conditions as a chain, lowest argument first, and merges the chains of a syscall into a tree
/// whose levels are sorted by node priority (db.c, <c>_db_chain_lt</c>): higher argument index first; then
/// EQ/NE/MASKED_EQ before LT/LE before GT/GE; then larger datum first (smaller first for LT/LE). Rules are
/// therefore tried in the lexicographic order of their chains under that node order; a rule whose chain is
/// a prefix of another's wins over it, so shorter chains come first. (Checked against crun 1.8.1 with
/// libseccomp 2.5.4 by the oracle tests.)
/// </summary>
internal sealed class RuleOrder(bool is64Bit) : IComparer<IReadOnlyList<SeccompCondition>>, IComparer<SeccompCondition>
{
    /// <summary>A rule's conditions in chain order: lowest argument first, as libseccomp builds the chain.</summary>
    internal SeccompCondition[] Chain(IReadOnlyList<SeccompCondition> conditions)
    {
        SeccompCondition[] chain = [.. conditions];
        Array.Sort(chain, (a, b) => a.Index != b.Index ? a.Index.CompareTo(b.Index) : Compare(a, b));
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
