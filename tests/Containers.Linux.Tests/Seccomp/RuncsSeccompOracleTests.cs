using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// The oracle matrix end to end: each profile goes into config.json and runcs itself compiles and installs it
/// in the container's init (<c>runcs run</c>), on the same bundle crun runs. Every case with one possible answer
/// must end as under crun, and every case must end exactly as under the harness-installed program.
/// </summary>
[NonParallelizable]
public sealed class RuncsSeccompOracleTests
{
    private CrunOracle? _crun;
    private string _runcs = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _crun = await CrunOracle.CreateAsync();
        _runcs = Runc.RuncsBinary.Path;
    }

    [OneTimeTearDown]
    public void TearDown() => _crun?.Dispose();

    // With no_new_privs the filter goes in last, just before execve; without it, root installs it (CAP_SYS_ADMIN)
    // before dropping capabilities and changing ids, as runc and crun do, so the init's own later syscalls pass
    // through it too: the deny-by-default profiles then also allow those (SeccompMatrix's runtime baseline).
    [TestCase(true)]
    [TestCase(false)]
    public async Task Generated_matrix_through_runcs_matches_crun(bool noNewPrivileges)
    {
        void Edit(System.Text.Json.Nodes.JsonObject config) => config["process"]!["noNewPrivileges"] = noNewPrivileges;

        int profiles = 0;
        int cases = 0;
        int unambiguous = 0;
        int ambiguousAgreeing = 0;
        int refusedByAll = 0;
        int staleDecided = 0;
        List<string> mismatches = [];
        List<string> notAsCompiled = [];
        foreach (SeccompMatrix.Entry entry in SeccompMatrix.Generate(seed: 20261128, count: 150, runtimeBaseline: !noNewPrivileges))
        {
            profiles++;
            LinuxSeccomp profile = Parse(entry.Json);
            (string[]? crun, string crunError) = await _crun!.RunAsync(profile, entry.Cases, Edit);
            (string[]? runcs, string runcsError) = await _crun.RunRuncsAsync(_runcs, profile, entry.Cases, Edit);
            if (runcs is null)
            {
                // runcs refuses exactly the profiles the compiler refuses (libseccomp's EEXIST cases included).
                refusedByAll++;
                Assert.That(runcsError, Does.Contain("linux.seccomp.syscalls["), entry.Json);
                Assert.That(() => SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64), Throws.TypeOf<InvalidSpecException>(), entry.Json);
                if (crun is not null)
                {
                    mismatches.Add($"runcs refused ({runcsError.Trim()}) but crun ran {entry.Json}");
                }

                continue;
            }

            string[] compiled = await SeccompHarness.RunAsync(SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64), entry.Cases);
            for (int i = 0; i < runcs.Length; i++)
            {
                if (runcs[i] != compiled[i])
                {
                    notAsCompiled.Add($"case {entry.Cases[i]}: runcs {runcs[i]}, harness {compiled[i]} in {entry.Json}");
                }
            }

            if (crun is null)
            {
                mismatches.Add($"crun refused ({crunError.Trim()}) but runcs ran {entry.Json}");
                continue;
            }

            for (int i = 0; i < runcs.Length; i++)
            {
                cases++;
                bool treeDependent = SeccompModel.IsOrderDependent(profile, entry.Cases[i]);
                unambiguous += treeDependent ? 0 : 1;
                staleDecided += Libseccomp.Available && SeccompModel.HitsLibseccompStaleAccumulator(profile, entry.Cases[i]) ? 1 : 0;
                if (runcs[i] == crun[i])
                {
                    ambiguousAgreeing += treeDependent ? 1 : 0;
                    continue;
                }

                mismatches.Add($"case {entry.Cases[i]}: runcs {runcs[i]}, crun {crun[i]} in {entry.Json}");
            }
        }

        await TestContext.Out.WriteLineAsync(
            $"seccomp oracle matrix through runcs (noNewPrivileges {noNewPrivileges}): {profiles} profiles, {cases} syscall cases run under runcs and crun; " +
            $"{unambiguous} with one possible answer, {cases - unambiguous} depend on libseccomp's rule tree ({ambiguousAgreeing} agree); " +
            $"{staleDecided} decided where libseccomp's program compares a stale accumulator; {cases - mismatches.Count} agree, {mismatches.Count} differ; " +
            $"{refusedByAll} profiles refused by runcs and crun (EEXIST); {notAsCompiled.Count} cases where runcs differs from the harness-installed program");

        Assert.That(cases, Is.GreaterThan(1000), "the matrix did not run");
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Take(10)));
        Assert.That(notAsCompiled, Is.Empty, string.Join("\n", notAsCompiled.Take(10)));
    }

    [TestCase("docker-default.json", "keyctl")]
    [TestCase("podman-default.json", "personality(1)")]
    public async Task Default_profiles_through_runcs_match_crun(string file, string deniedCall)
    {
        LinuxSeccomp profile = DockerProfile.Load(SeccompTestData.PathOf(file));
        string[] cases = [.. SeccompOracleTests.DefaultProfileCases.SelectMany(c => c.Cases)];

        (string[]? crun, string crunError) = await _crun!.RunAsync(profile, cases);
        (string[]? runcs, string runcsError) = await _crun.RunRuncsAsync(_runcs, profile, cases);
        (string[]? unfiltered, string unfilteredError) = await _crun.RunRuncsAsync(_runcs, profile, cases, config => ((System.Text.Json.Nodes.JsonObject)config["linux"]!).Remove("seccomp"));

        Assert.That(crun, Is.Not.Null, crunError);
        Assert.That(runcs, Is.Not.Null, runcsError);
        Assert.That(unfiltered, Is.Not.Null, unfilteredError);
        await TestContext.Out.WriteLineAsync(string.Join(", ", SeccompOracleTests.DefaultProfileCases.Select((c, i) => $"{c.Name} runcs {runcs![i]} crun {crun![i]} unfiltered {unfiltered![i]}")));
        Assert.That(runcs, Is.EqualTo(crun));

        // The filter is really what decides: without it the denied call reaches the kernel and ends otherwise.
        int denied = Array.FindIndex(SeccompOracleTests.DefaultProfileCases, c => c.Name == deniedCall);
        Assert.That(unfiltered![denied], Is.Not.EqualTo(runcs![denied]));
    }
}
