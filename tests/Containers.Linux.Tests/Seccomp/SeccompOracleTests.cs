using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// Holds the compiler to libseccomp: the same profiles run under crun 1.8.1 (libseccomp 2.5) and under our
/// program installed by the harness, and every syscall must end the same way.
/// </summary>
[NonParallelizable]
public sealed class SeccompOracleTests
{
    private CrunOracle? _crun;

    [OneTimeSetUp]
    public async Task SetUp() => _crun = await CrunOracle.CreateAsync();

    [OneTimeTearDown]
    public void TearDown() => _crun?.Dispose();

    [Test]
    public async Task Generated_matrix_matches_crun()
    {
        int profiles = 0;
        int cases = 0;
        int refusedByBoth = 0;
        int ambiguous = 0;
        int ambiguousAgreeing = 0;
        int staleDecided = 0;
        List<string> mismatches = [];
        foreach (SeccompMatrix.Entry entry in SeccompMatrix.Generate(seed: 20261128, count: 150))
        {
            profiles++;
            LinuxSeccomp profile = Parse(entry.Json);
            (string[]? theirs, string error) = await _crun!.RunAsync(profile, entry.Cases);
            SeccompProgram program;
            try
            {
                program = SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64);
            }
            catch (InvalidSpecException e)
            {
                refusedByBoth++;
                if (theirs is not null)
                {
                    mismatches.Add($"we refused ({e.Message}) but crun ran {entry.Json}");
                }

                continue;
            }

            if (theirs is null)
            {
                mismatches.Add($"crun refused ({error.Trim()}) but we compiled {entry.Json}");
                continue;
            }

            string[] ours = await SeccompHarness.RunAsync(program, entry.Cases);
            for (int i = 0; i < ours.Length; i++)
            {
                cases++;
                bool treeDependent = SeccompModel.IsOrderDependent(profile, entry.Cases[i]);
                ambiguous += treeDependent ? 1 : 0;
                staleDecided += Libseccomp.Available && SeccompModel.HitsLibseccompStaleAccumulator(profile, entry.Cases[i]) ? 1 : 0;
                if (ours[i] == theirs[i])
                {
                    ambiguousAgreeing += treeDependent ? 1 : 0;
                    continue;
                }

                mismatches.Add($"case {entry.Cases[i]}: ours {ours[i]}, crun {theirs[i]} in {entry.Json}");
            }
        }

        await TestContext.Out.WriteLineAsync(
            $"seccomp oracle matrix: {profiles} profiles, {cases} syscall cases run under both; {cases - ambiguous} with one possible answer, " +
            $"{ambiguous} whose answer depends on libseccomp's rule tree ({ambiguousAgreeing} agree); " +
            $"{staleDecided} decided where libseccomp's program compares a stale accumulator; {cases - mismatches.Count} agree, {mismatches.Count} differ; " +
            $"{refusedByBoth} profiles refused by both (EEXIST)");

        Assert.That(cases, Is.GreaterThan(1000), "the matrix did not run");
        if (Libseccomp.Available)
        {
            // The seed's matrix holds such cases: this is where gen_bpf.c's accumulator tracking must be reproduced.
            Assert.That(staleDecided, Is.GreaterThan(0), "the matrix no longer reaches a stale-accumulator comparison");
        }

        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(10)));
    }

    internal static readonly (string Name, string[] Cases)[] DefaultProfileCases =
    [
        ("getpid", [SeccompHarness.Case(Getpid)]),
        ("keyctl", [SeccompHarness.Case(250, 0)]),
        ("add_key", [SeccompHarness.Case(248, 0)]),
        ("clone3", [SeccompHarness.Case(435, 0, 0)]),
        ("unshare(CLONE_NEWUSER)", [SeccompHarness.Case(272, 0x1000_0000)]),
        ("unshare(bad flags)", [SeccompHarness.Case(272, 0x1000_0001)]),
        ("personality(query)", [SeccompHarness.Case(135, 0xffff_ffff)]),
        ("personality(1)", [SeccompHarness.Case(135, 1)]),
        ("ptrace", [SeccompHarness.Case(101, 0xffff, 0, 0, 0)]),
        ("iopl", [SeccompHarness.Case(172, 9)]),
    ];

    // Docker 20.10 blocks keyring syscalls and unshare without CAP_SYS_ADMIN and gives clone3 ENOSYS so glibc
    // falls back to clone. Podman's 0.50 profile denies with ENOSYS by default and allows keyctl, clone3 and
    // unshare (the kernel then rejects the bogus arguments itself: EINVAL).
    [TestCase("docker-default.json", "getpid=OK;keyctl=ERRNO 1;add_key=ERRNO 1;clone3=ERRNO 38;unshare(CLONE_NEWUSER)=ERRNO 1;iopl=ERRNO 1")]
    [TestCase("podman-default.json", "getpid=OK;keyctl=ERRNO 22;add_key=ERRNO 38;clone3=ERRNO 22;personality(1)=ERRNO 38;unshare(CLONE_NEWUSER)=OK")]
    public async Task Default_profiles_compile_load_and_match_crun(string file, string expectations)
    {
        LinuxSeccomp profile = DockerProfile.Load(SeccompTestData.PathOf(file));
        SeccompProgram program = SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64);
        Assert.That(program.Length, Is.LessThanOrEqualTo(SeccompProgram.MaxInstructions));
        await TestContext.Out.WriteLineAsync($"{file}: {program.Length} instructions, {program.SyscallCount} syscalls over {program.Architectures.Count} architectures");

        string[] cases = [.. DefaultProfileCases.SelectMany(c => c.Cases)];
        string[] ours = await SeccompHarness.RunAsync(program, cases);
        (string[]? theirs, string error) = await _crun!.RunAsync(profile, cases);
        Assert.That(theirs, Is.Not.Null, error);
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.That(ours[i], Is.EqualTo(theirs![i]), DefaultProfileCases[i].Name);
        }

        await TestContext.Out.WriteLineAsync(string.Join(", ", DefaultProfileCases.Select((c, i) => c.Name + " " + ours[i])));
        foreach (string expectation in expectations.Split(';'))
        {
            string[] pair = expectation.Split('=');
            int index = Array.FindIndex(DefaultProfileCases, c => c.Name == pair[0]);
            Assert.That(ours[index], Is.EqualTo(pair[1]), pair[0]);
        }
    }

    [Test]
    public async Task Syscalls_newer_than_the_profile_get_ENOSYS_where_crun_gives_the_default()
    {
        // runc's patchbpf rule, which crun 1.8 lacks: this is the one intended difference.
        LinuxSeccomp profile = DockerProfile.Load(SeccompTestData.PathOf("docker-default.json"));
        string[] cases = [SeccompHarness.Case(460)];
        string[] ours = await SeccompHarness.RunAsync(SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64), cases);
        (string[]? theirs, _) = await _crun!.RunAsync(profile, cases);
        Assert.That(ours, Is.EqualTo(new[] { "ERRNO 38" }));
        Assert.That(theirs, Is.EqualTo(new[] { "ERRNO 1" }));
    }
}
