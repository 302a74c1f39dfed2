using System.Globalization;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// A plain reading of a profile on x86_64, used to sort oracle cases into those with one possible answer
/// and those whose answer depends on libseccomp's rule tree.
/// </summary>
internal static class SeccompModel
{
    public static (int Nr, ulong[] Args) ParseCase(string text)
    {
        ulong[] parts = [.. text.Split(':').Select(p => ulong.Parse(p.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
        ulong[] args = new ulong[6];
        Array.Copy(parts, 1, args, 0, parts.Length - 1);
        return ((int)parts[0], args);
    }

    /// <summary>
    /// True when the answer depends on how libseccomp arranges the rules rather than on what they say:
    /// several rules with different actions match, or rules of the syscall compare one argument with
    /// range operators (libseccomp 2.5 merges such chains into shared tree nodes, and then sometimes
    /// ignores a rule that matches).
    /// </summary>
    public static bool IsOrderDependent(LinuxSeccomp profile, string call)
    {
        (int nr, ulong[] args) = ParseCase(call);
        string defaultOutcome = profile.DefaultAction + "/" + (profile.DefaultErrnoRet ?? 1);
        List<LinuxSyscall> rules = [.. (profile.Syscalls ?? []).Where(r =>
            r.Names.Any(n => SyscallTable.Resolve(n, SyscallAbi.X8664) == nr) && r.Action + "/" + (r.ErrnoRet ?? 1) != defaultOutcome)];
        List<(string Outcome, LinuxSeccompArg[] Chain)> chains = [];
        foreach (LinuxSyscall rule in rules)
        {
            IList<LinuxSeccompArg> conditions = rule.Args ?? [];
            bool split = conditions.GroupBy(c => c.Index).Any(g => g.Count() > 1);
            IEnumerable<LinuxSeccompArg[]> parts = split ? conditions.Select(c => new[] { c }) : [[.. conditions]];
            foreach (LinuxSeccompArg[] part in parts)
            {
                LinuxSeccompArg[] kept = [.. part.Where(c => !(c.Op == SeccompOperator.MaskedEqual && c.Value == 0 && (c.ValueTwo ?? 0) == 0))];
                if (kept.Length == 0)
                {
                    // The first unconditional rule decides the syscall.
                    return false;
                }

                chains.Add((rule.Action + "/" + (rule.ErrnoRet ?? 1), kept));
            }
        }

        HashSet<string> matching = [.. chains.Where(c => c.Chain.All(a => Holds(a, args))).Select(c => c.Outcome)];
        if (matching.Count > 1)
        {
            return true;
        }

        for (int i = 0; i < chains.Count; i++)
        {
            for (int j = i + 1; j < chains.Count; j++)
            {
                foreach (LinuxSeccompArg a in chains[i].Chain)
                {
                    if (chains[j].Chain.Any(b => b.Index == a.Index && (IsRange(a.Op) || IsRange(b.Op))))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether libseccomp's own program for <paramref name="profile"/> (exported through <see cref="Libseccomp"/>)
    /// decides <paramref name="call"/> at a comparison whose accumulator depends on the path taken: libseccomp 2.5's
    /// gen_bpf.c leaves out a reload there, so the comparison tests a word of another argument than its rule names.
    /// Our compiler reproduces libseccomp's rule tree, not that code-generation bug.
    /// </summary>
    public static bool HitsLibseccompStaleAccumulator(LinuxSeccomp profile, string call)
    {
        (byte[]? program, _) = Libseccomp.Export(profile);
        if (program is null)
        {
            return false;
        }

        (int nr, ulong[] args) = ParseCase(call);
        BpfInterpreter.Run(program, nr, args, BpfInterpreter.StaleAccumulatorSites(program), out bool stale);
        return stale;
    }

    private static bool IsRange(string op) => op is SeccompOperator.LessThan or SeccompOperator.LessOrEqual or SeccompOperator.GreaterThan or SeccompOperator.GreaterOrEqual;

    private static bool Holds(LinuxSeccompArg c, ulong[] args)
    {
        ulong a = args[c.Index];
        return c.Op switch
        {
            SeccompOperator.Equal => a == c.Value,
            SeccompOperator.NotEqual => a != c.Value,
            SeccompOperator.LessThan => a < c.Value,
            SeccompOperator.LessOrEqual => a <= c.Value,
            SeccompOperator.GreaterThan => a > c.Value,
            SeccompOperator.GreaterOrEqual => a >= c.Value,
            _ => (a & c.Value) == (c.ValueTwo ?? 0),
        };
    }
}
