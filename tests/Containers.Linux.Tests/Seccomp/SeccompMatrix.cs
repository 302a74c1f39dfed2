using System.Globalization;
using System.Text;
using Containers.Linux.Seccomp;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>Generates oracle profiles: syscalls × argument values × actions × operators, deterministically from a seed.</summary>
internal static class SeccompMatrix
{
    private static readonly int[] Targets = [Getpid, Getppid, Getuid, Getgid, Geteuid, Getegid, Gettid, Getpgrp];

    private static readonly string[] TargetNames = ["getpid", "getppid", "getuid", "getgid", "geteuid", "getegid", "gettid", "getpgrp"];

    private static readonly ulong[] Pool =
    [
        0, 1, 2, 5, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0005, 0xffff_ffff_0000_0000,
        0x8000_0000_0000_0000, ulong.MaxValue, 0xdead_beef, 0x0000_0001_dead_beef,
    ];

    private static readonly string[] Ops = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"];

    public sealed record Entry(string Json, string[] Cases);

    /// <param name="seed">The same seed gives the same profiles and cases.</param>
    /// <param name="count">Number of profiles.</param>
    /// <param name="runtimeBaseline">Also allow, under a deny-by-default profile, what the runtime's init calls after
    /// installing the filter when it installs it before dropping privileges (<c>noNewPrivileges: false</c>).</param>
    public static IEnumerable<Entry> Generate(int seed, int count, bool runtimeBaseline = false)
    {
        Random random = new(seed);
        for (int p = 0; p < count; p++)
        {
            yield return One(random, runtimeBaseline);
        }
    }

    private static Entry One(Random random, bool runtimeBaseline)
    {
        // A KILL default cannot be used: crun itself makes syscalls after installing the filter.
        (string action, int errno) defaultAction = random.Next(3) switch
        {
            0 => ("SCMP_ACT_ERRNO", random.Next(1, 200)),
            _ => ("SCMP_ACT_ALLOW", -1),
        };
        StringBuilder json = new();
        json.Append(CultureInfo.InvariantCulture, $"{{ \"defaultAction\": \"{defaultAction.action}\"");
        if (defaultAction.errno >= 0)
        {
            json.Append(CultureInfo.InvariantCulture, $", \"defaultErrnoRet\": {defaultAction.errno}");
        }

        json.Append(", \"syscalls\": [ ");
        List<string> rules = [];
        if (defaultAction.action != "SCMP_ACT_ALLOW")
        {
            IEnumerable<string> baseline = runtimeBaseline ? HarnessBaseline.Concat(RuntimeBaseline) : HarnessBaseline;
            rules.Add("{ \"names\": [" + string.Join(", ", baseline.Select(n => "\"" + n + "\"")) + "], \"action\": \"SCMP_ACT_ALLOW\" }");
        }

        List<int> chosen = [.. Enumerable.Range(0, Targets.Length).OrderBy(_ => random.Next()).Take(3)];
        List<string> cases = [];
        foreach (int t in chosen)
        {
            List<ulong[]> interesting = [];
            int ruleCount = random.Next(1, 4);
            for (int r = 0; r < ruleCount; r++)
            {
                string action = random.Next(8) switch
                {
                    0 => "SCMP_ACT_KILL_PROCESS",
                    1 => "SCMP_ACT_KILL_THREAD",
                    2 => "SCMP_ACT_TRAP",
                    3 => "SCMP_ACT_LOG",
                    4 => "SCMP_ACT_TRACE",
                    5 => "SCMP_ACT_ALLOW",
                    _ => "SCMP_ACT_ERRNO",
                };
                string errno = action is "SCMP_ACT_ERRNO" or "SCMP_ACT_TRACE" && random.Next(4) != 0
                    ? $", \"errnoRet\": {random.Next(1, 4096)}"
                    : string.Empty;
                int conditionCount = random.Next(0, 4);
                List<string> args = [];
                ulong[] hit = new ulong[6];
                for (int c = 0; c < conditionCount; c++)
                {
                    int index = random.Next(6);
                    string op = Ops[random.Next(Ops.Length)];
                    ulong value = Pick(random);
                    ulong two = op == "SCMP_CMP_MASKED_EQ" ? value & Pick(random) : 0;
                    args.Add(op == "SCMP_CMP_MASKED_EQ"
                        ? $"{{ \"index\": {index}, \"value\": {value}, \"valueTwo\": {two}, \"op\": \"{op}\" }}"
                        : $"{{ \"index\": {index}, \"value\": {value}, \"op\": \"{op}\" }}");
                    hit[index] = op switch
                    {
                        "SCMP_CMP_MASKED_EQ" => two,
                        "SCMP_CMP_LT" or "SCMP_CMP_NE" => value - 1,
                        "SCMP_CMP_GT" => value + 1,
                        _ => value,
                    };
                }

                interesting.Add(hit);
                string argList = args.Count == 0 ? string.Empty : ", \"args\": [ " + string.Join(", ", args) + " ]";
                rules.Add($"{{ \"names\": [\"{TargetNames[t]}\"], \"action\": \"{action}\"{errno}{argList} }}");
            }

            // Vectors that satisfy a rule, near misses around the data, and random mixes.
            foreach (ulong[] hit in interesting)
            {
                cases.Add(SeccompHarness.Case(Targets[t], hit));
                ulong[] near = [.. hit.Select(v => random.Next(3) switch { 0 => v + 1, 1 => v - 1, _ => v })];
                cases.Add(SeccompHarness.Case(Targets[t], near));
                ulong[] flipped = [.. hit.Select(v => random.Next(2) == 0 ? v ^ 0x1_0000_0000 : v)];
                cases.Add(SeccompHarness.Case(Targets[t], flipped));
            }

            for (int k = 0; k < 3; k++)
            {
                ulong[] mix = [.. Enumerable.Range(0, 6).Select(_ => random.Next(3) == 0 ? interesting[random.Next(interesting.Count)][random.Next(6)] : Pick(random))];
                cases.Add(SeccompHarness.Case(Targets[t], mix));
            }
        }

        int other = Enumerable.Range(0, Targets.Length).First(i => !chosen.Contains(i));
        cases.Add(SeccompHarness.Case(Targets[other], 1, 2));
        json.Append(string.Join(", ", rules)).Append(" ] }");
        return new Entry(json.ToString(), [.. cases]);
    }

    private static ulong Pick(Random random) => random.Next(5) == 0 ? (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63) : Pool[random.Next(Pool.Length)];
}
