using Containers.Oci.Runtime;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Compiles an OCI seccomp profile to a classic BPF program with libseccomp's semantics, in C#.
/// </summary>
/// <remarks>
/// <para>Semantics, per architecture (the native one plus <c>architectures</c>):</para>
/// <list type="bullet">
/// <item>Names the architecture does not know are skipped, as libseccomp's resolver makes runc and crun do.</item>
/// <item>A rule whose action (and errno) equals the default action is ignored, as runc and crun do (so an
/// unconditional ALLOW under an ALLOW default does not override conditional rules for that syscall).</item>
/// <item>Per syscall, the rules are merged exactly as libseccomp 2.5's db.c merges them (<see cref="SyscallRuleTree"/>:
/// the first rule without conditions decides the syscall and later ones are dropped; one without conditions after
/// conditional ones replaces them; conditional rules become chains of 32-bit word comparisons merged into a shared,
/// sorted tree, with libseccomp's pruning of longer chains and its EEXIST refusals), and the tree is walked as
/// libseccomp's gen_bpf.c walks it (<see cref="RuleTreeEmitter"/>). The result is the same decision as libseccomp's
/// for every argument vector, including where libseccomp's merge applies no rule or another rule than the first
/// matching one. A rule with two conditions on one argument is split into one rule per condition (ORed), as runc
/// and crun do.</item>
/// <item>64-bit architectures compare both 32-bit halves (high word, then low word); 32-bit architectures
/// compare the low word only, with the datum truncated, as libseccomp does.</item>
/// <item>Unless the default action is ALLOW, LOG or TRACE, syscall numbers above the highest one the
/// profile names (on that architecture) return ENOSYS so libc falls back (clone3 → clone); on s390(x)
/// syscall 0 too (runc's patchbpf rule).</item>
/// <item>A syscall from an architecture not in the filter kills the thread (libseccomp's bad-arch action);
/// on x86_64 without x32, numbers with <c>__X32_SYSCALL_BIT</c> set count as that, except -1.</item>
/// </list>
/// <para>Not modelled: libseccomp's socketcall/ipc multiplexing on x86/s390 (only direct syscall numbers are
/// filtered).</para>
/// </remarks>
public static class SeccompCompiler
{
    private const uint NoSyscall = 0xffffffff;

    /// <summary>Compiles the OCI <c>linux.seccomp</c> object for a process of <paramref name="nativeArch"/>.</summary>
    /// <exception cref="InvalidSpecException">The profile is malformed; <see cref="InvalidSpecException.JsonPath"/> names the field.</exception>
    /// <exception cref="UnsupportedException">An architecture has no syscall table.</exception>
    /// <exception cref="SizeLimitExceededException">The program would exceed <see cref="SeccompProgram.MaxInstructions"/>.</exception>
    public static SeccompProgram Compile(LinuxSeccomp profile, SeccompArchitecture nativeArch)
        => Compile(SeccompProfileMapper.Map(profile), nativeArch);

    /// <summary>Compiles an already validated profile.</summary>
    /// <exception cref="UnsupportedException">An architecture has no syscall table.</exception>
    /// <exception cref="SizeLimitExceededException">The program would exceed <see cref="SeccompProgram.MaxInstructions"/>.</exception>
    public static SeccompProgram Compile(SeccompProfile profile, SeccompArchitecture nativeArch)
    {
        ArgumentNullException.ThrowIfNull(profile);
        List<SeccompArchitectureInfo> archs = [SeccompArchitectureInfo.Of(nativeArch)];
        foreach (SeccompArchitecture arch in profile.Architectures)
        {
            if (!archs.Exists(a => a.Architecture == arch))
            {
                archs.Add(SeccompArchitectureInfo.Of(arch));
            }
        }

        foreach (SeccompArchitectureInfo arch in archs)
        {
            if (arch.Abi is null)
            {
                throw new UnsupportedException($"seccomp: no syscall table for {arch.OciName}");
            }
        }

        uint defaultRet = Bpf.ReturnValue(profile.DefaultAction, profile.DefaultData);
        bool enosysStub = profile.DefaultAction is not (SeccompActionType.Allow or SeccompActionType.Log or SeccompActionType.Trace);
        BpfAssembler asm = new();
        ReturnPool returns = new(asm);
        int syscallCount = 0;
        bool usesNotify = false;

        // Every architecture's rules first: libseccomp shares argument blocks across syscalls and architectures,
        // and which of them get a reload depends on the whole filter (RuleTreeEmitter.ResolveReloads).
        Dictionary<SeccompArchitecture, Section> sections = [];
        foreach (SeccompArchitectureInfo arch in archs)
        {
            sections[arch.Architecture] = BuildSection(arch, profile, defaultRet, ref usesNotify);
        }

        RuleTreeEmitter emitter = new(asm, returns.For);
        int planned = 0;
        foreach (Section section in sections.Values)
        {
            foreach ((uint nr, SyscallRuleTree tree) in section.Entries)
            {
                if (tree.Chains is not null)
                {
                    section.Labels[nr] = emitter.Plan(section.Arch, tree.Chains, defaultRet);
                    section.Indexes[nr] = planned++;
                }
            }
        }

        emitter.ResolveReloads(WalkOrder(archs, sections));

        // Group by AUDIT_ARCH: x86_64 and x32 share one and are told apart by the syscall number.
        List<IGrouping<uint, SeccompArchitectureInfo>> groups = [.. archs.GroupBy(a => a.AuditArch)];
        asm.Load(Bpf.OffsetArch);
        int[] groupLabels = new int[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            groupLabels[g] = asm.NewLabel();
            asm.Jump(Bpf.JeqK, groups[g].Key, groupLabels[g], BpfAssembler.Next);
        }

        int badArch = returns.For(Bpf.RetKillThread);
        asm.Goto(badArch);

        for (int g = 0; g < groups.Count; g++)
        {
            asm.Bind(groupLabels[g]);
            asm.Load(Bpf.OffsetNr);
            SeccompArchitectureInfo? x64 = groups[g].FirstOrDefault(a => a.Architecture == SeccompArchitecture.X86_64);
            SeccompArchitectureInfo? x32 = groups[g].FirstOrDefault(a => a.Architecture == SeccompArchitecture.X32);
            List<SeccompArchitectureInfo> inGroup = [.. groups[g]];
            if (x64 is not null || x32 is not null)
            {
                int x64Label = asm.NewLabel();
                int x32Label = asm.NewLabel();
                if (x64 is not null && x32 is not null)
                {
                    asm.Jump(Bpf.JsetK, SeccompArchitectureInfo.X32SyscallBit, x32Label, x64Label);
                }
                else if (x64 is not null)
                {
                    // libseccomp: an x32 number reaching an x86_64-only filter is a bad arch, but -1 (a
                    // syscall skipped by a tracer) goes through.
                    int high = asm.NewLabel();
                    asm.Jump(Bpf.JgeK, SeccompArchitectureInfo.X32SyscallBit, high, x64Label);
                    asm.Bind(high);
                    asm.Jump(Bpf.JeqK, NoSyscall, x64Label, badArch);
                }
                else
                {
                    asm.Jump(Bpf.JgeK, SeccompArchitectureInfo.X32SyscallBit, x32Label, badArch);
                }

                inGroup = [];
                if (x64 is not null)
                {
                    asm.Bind(x64Label);
                    EmitSection(asm, returns, sections[x64.Architecture], defaultRet, enosysStub, ref syscallCount);
                }

                if (x32 is not null)
                {
                    asm.Bind(x32Label);
                    EmitSection(asm, returns, sections[x32.Architecture], defaultRet, enosysStub, ref syscallCount);
                }
            }

            foreach (SeccompArchitectureInfo arch in inGroup)
            {
                EmitSection(asm, returns, sections[arch.Architecture], defaultRet, enosysStub, ref syscallCount);
            }
        }

        emitter.EmitPlanned();
        returns.EmitAll();
        SockFilter[] program = asm.Link();
        if (program.Length > SeccompProgram.MaxInstructions)
        {
            throw new SizeLimitExceededException($"seccomp program ({program.Length} BPF instructions)", SeccompProgram.MaxInstructions);
        }

        SeccompFilterFlags flags = profile.Flags | (usesNotify ? SeccompFilterFlags.NewListener : SeccompFilterFlags.None);
        if ((flags & (SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener)) == (SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener))
        {
            // The kernel refuses TSYNC with NEW_LISTENER (both would return a number) unless TSYNC reports ESRCH.
            flags |= SeccompFilterFlags.TsyncEsrch;
        }

        return new SeccompProgram(program, flags, nativeArch, [.. archs.Select(a => a.Architecture)], profile.DefaultAction,
            syscallCount, profile.ListenerPath, profile.ListenerMetadata);
    }

    // One architecture's rules merged per syscall as libseccomp's db.c merges them.
    private static Section BuildSection(SeccompArchitectureInfo arch, SeccompProfile profile, uint defaultRet, ref bool usesNotify)
    {
        SortedDictionary<uint, SyscallRuleTree> entries = [];
        long highest = -1;
        foreach (SeccompRule rule in profile.Rules)
        {
            uint ret = Bpf.ReturnValue(rule.Action, rule.Data);
            foreach (string name in rule.Names)
            {
                int nr = arch.Resolve(name);
                if (nr < 0)
                {
                    continue;
                }

                highest = Math.Max(highest, (uint)nr);
                if (ret == defaultRet)
                {
                    continue;
                }

                // libseccomp marks the filter as using NOTIFY when such a rule is added, kept or not.
                usesNotify |= ret == Bpf.RetUserNotif;
                foreach (IReadOnlyList<SeccompCondition> conditions in SplitSameArgument(rule.Conditions))
                {
                    bool added;
                    try
                    {
                        added = entries.TryGetValue((uint)nr, out SyscallRuleTree? tree)
                            ? tree.Add(conditions, ret)
                            : (entries[(uint)nr] = new SyscallRuleTree(arch.Is64Bit, conditions, ret)) is not null;
                    }
                    catch (InvalidOperationException e)
                    {
                        throw new InvalidSpecException(rule.JsonPath, $"rule for \"{name}\": {e.Message}");
                    }

                    if (!added)
                    {
                        // libseccomp refuses the rule with EEXIST, and runc and crun fail with it.
                        throw new InvalidSpecException(rule.JsonPath, $"conflicts with an earlier rule for \"{name}\" (libseccomp refuses it: EEXIST)");
                    }
                }
            }
        }

        return new Section(arch, entries, highest);
    }

    // The order in which libseccomp's layout walk (gen_bpf.c, _gen_bpf_build_bpf) reaches the syscalls that have
    // argument blocks: filters in the order the architectures were added (the native one first), x86_64 and x32 as
    // one filter at the place of the first of them; each filter's syscalls sorted by priority (_sys_priority_sort:
    // stable over ascending numbers, the second architecture's after the first's), laid out highest first; the
    // walk goes from the end of the program backwards.
    private static IEnumerable<int> WalkOrder(List<SeccompArchitectureInfo> archs, Dictionary<SeccompArchitecture, Section> sections)
    {
        List<List<Section>> filters = [];
        HashSet<SeccompArchitecture> merged = [];
        foreach (SeccompArchitectureInfo arch in archs)
        {
            if (merged.Contains(arch.Architecture))
            {
                continue;
            }

            List<Section> filter = [sections[arch.Architecture]];
            SeccompArchitecture partner = arch.Architecture switch
            {
                SeccompArchitecture.X86_64 => SeccompArchitecture.X32,
                SeccompArchitecture.X32 => SeccompArchitecture.X86_64,
                _ => arch.Architecture,
            };
            if (partner != arch.Architecture && sections.TryGetValue(partner, out Section? second))
            {
                filter.Add(second);
                merged.Add(partner);
            }

            filters.Add(filter);
        }

        for (int f = filters.Count - 1; f >= 0; f--)
        {
            List<(int Priority, uint Nr, Section Section)> list = [.. filters[f].SelectMany(s => s.Entries.Select(e => (e.Value.Priority, e.Key, s)))];
            List<(int Priority, uint Nr, Section Section)> sorted = [.. list.OrderByDescending(e => e.Priority)];
            for (int i = sorted.Count - 1; i >= 0; i--)
            {
                if (sorted[i].Section.Indexes.TryGetValue(sorted[i].Nr, out int index))
                {
                    yield return index;
                }
            }
        }
    }

    // One architecture: a binary search over syscall-number ranges to each syscall's action or argument blocks.
    private static void EmitSection(BpfAssembler asm, ReturnPool returns, Section section, uint defaultRet, bool enosysStub, ref int syscallCount)
    {
        SeccompArchitectureInfo arch = section.Arch;
        SortedDictionary<uint, SyscallRuleTree> entries = section.Entries;
        long highest = section.Highest;
        int defaultLabel = returns.For(defaultRet);
        int enosysLabel = enosysStub && highest >= 0 ? returns.For(Bpf.RetErrno | Bpf.Enosys) : -1;

        // Ranges of syscall numbers [Start, next Start) that end at the same place.
        List<(uint Start, int Target)> ranges = [];
        void Add(uint start, int target)
        {
            if (ranges.Count > 0 && ranges[^1].Target == target)
            {
                return;
            }

            if (ranges.Count > 0 && ranges[^1].Start == start)
            {
                ranges[^1] = (start, target);
                if (ranges.Count > 1 && ranges[^2].Target == target)
                {
                    ranges.RemoveAt(ranges.Count - 1);
                }

                return;
            }

            ranges.Add((start, target));
        }

        Add(0, defaultLabel);
        foreach ((uint nr, SyscallRuleTree tree) in entries)
        {
            int target = tree.Chains is null ? returns.For(tree.Action) : section.Labels[nr];
            syscallCount++;
            Add(nr, target);
            if (nr != uint.MaxValue)
            {
                Add(nr + 1, defaultLabel);
            }
        }

        if (enosysLabel >= 0 && highest < uint.MaxValue)
        {
            // A tracer's "skip this syscall" (-1) on x86_64 stays with the default action.
            bool keepMinusOne = arch.Architecture == SeccompArchitecture.X86_64;
            Add((uint)highest + 1, enosysLabel);
            if (keepMinusOne)
            {
                Add(NoSyscall, defaultLabel);
            }
        }

        if (enosysLabel >= 0 && arch.Architecture is SeccompArchitecture.S390 or SeccompArchitecture.S390X && !entries.ContainsKey(0))
        {
            // Unknown syscalls arrive as 0 (setup) on s390: the kernel leaves the multiplexer's number.
            asm.Jump(Bpf.JeqK, 0, enosysLabel, BpfAssembler.Next);
        }

        EmitSearch(asm, ranges, 0, ranges.Count - 1);
    }

    // runc and crun cannot hand libseccomp two conditions on one argument in one rule, so they add each
    // condition of such a rule as a rule of its own: the conditions are then ORed, not ANDed.
    private static IEnumerable<IReadOnlyList<SeccompCondition>> SplitSameArgument(IReadOnlyList<SeccompCondition> conditions)
    {
        bool repeated = conditions.GroupBy(c => c.Index).Any(g => g.Count() > 1);
        if (!repeated)
        {
            yield return conditions;
            yield break;
        }

        foreach (SeccompCondition condition in conditions)
        {
            yield return [condition];
        }
    }

    // Balanced decision tree over range starts: each inner node is one "jge start" instruction.
    private static void EmitSearch(BpfAssembler asm, List<(uint Start, int Target)> ranges, int lo, int hi)
    {
        if (lo == hi)
        {
            asm.Goto(ranges[lo].Target);
            return;
        }

        int mid = (lo + hi + 1) / 2;
        int right = mid == hi ? ranges[hi].Target : asm.NewLabel();
        int left = mid - 1 == lo ? ranges[lo].Target : BpfAssembler.Next;
        asm.Jump(Bpf.JgeK, ranges[mid].Start, right, left);
        if (left == BpfAssembler.Next)
        {
            EmitSearch(asm, ranges, lo, mid - 1);
        }

        if (mid != hi)
        {
            asm.Bind(right);
            EmitSearch(asm, ranges, mid, hi);
        }
    }

    // One architecture's merged rules, and where each syscall's argument blocks start.
    private sealed record Section(SeccompArchitectureInfo Arch, SortedDictionary<uint, SyscallRuleTree> Entries, long Highest)
    {
        public Dictionary<uint, int> Labels { get; } = [];

        // Each planned syscall's index in RuleTreeEmitter's order of Plan calls.
        public Dictionary<uint, int> Indexes { get; } = [];
    }

    // One "ret" instruction per distinct return value, all placed at the end of the program.
    private sealed class ReturnPool(BpfAssembler asm)
    {
        private readonly Dictionary<uint, int> _labels = [];

        public int For(uint ret)
        {
            if (!_labels.TryGetValue(ret, out int label))
            {
                _labels[ret] = label = asm.NewLabel();
            }

            return label;
        }

        public void EmitAll()
        {
            foreach ((uint ret, int label) in _labels)
            {
                asm.Bind(label);
                asm.Return(ret);
            }
        }
    }
}
