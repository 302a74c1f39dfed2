using System.Text.RegularExpressions;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// DESIGN.md §2: the clone path, run many times in one spawner with a thread that allocates all
/// the time, must never hang or crash. RUNCS_STRESS_COUNT sets the cycle count (default 1000).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class SpawnStressTests
{
    [Test]
    public void CreateStartExit_WithAnAllocatingThread_NeverHangs()
    {
        RootRequired.Check();
        int count = int.TryParse(Environment.GetEnvironmentVariable("RUNCS_STRESS_COUNT"), out int n) ? n : 1000;
        using TestBundle bundle = new();
        bundle.WithArgs("true");

        ProcessResult result = Commands.Run(RuncsBinary.Path, ["spawn-stress", "-b", bundle.Directory, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--allocate"], timeoutSeconds: 900);

        TestContext.Out.WriteLine(result.StandardOutput);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Match counters = Counters().Match(result.StandardOutput);
        Assert.That(counters.Success, Is.True, result.ToString());
        Assert.That(int.Parse(counters.Groups["cycles"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(count));
        Assert.That(counters.Groups["hangs"].Value, Is.EqualTo("0"));
        Assert.That(counters.Groups["failures"].Value, Is.EqualTo("0"));
        Assert.That(long.Parse(counters.Groups["gcs"].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0), "the allocator must actually cause collections during the run");
    }

    [GeneratedRegex(@"cycles=(?<cycles>\d+) hangs=(?<hangs>\d+) failures=(?<failures>\d+) cloneRetries=\d+ gcs=(?<gcs>\d+)")]
    private static partial Regex Counters();
}
