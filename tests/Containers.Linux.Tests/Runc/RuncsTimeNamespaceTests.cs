using System.Globalization;
using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>linux.namespaces "time" with linux.timeOffsets: the container's clocks are offset from the host's.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsTimeNamespaceTests
{
    private const long OffsetSeconds = 10L * 365 * 86400;
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        if (!File.Exists("/proc/self/ns/time"))
        {
            Assert.Ignore("this kernel has no time namespaces (Linux 5.6+ with CONFIG_TIME_NS)");
        }

        _bundle = new TestBundle();
        _root = new StateRoot("runcs-timens");
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        _bundle?.Dispose();
    }

    private static double HostUptime() => double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);

    [Test]
    public void Uptime_InTheContainer_IsTheHostsPlusTheBoottimeOffset()
    {
        _bundle.Config["linux"]!["namespaces"]!.AsArray().Add(new JsonObject { ["type"] = "time" });
        _bundle.Config["linux"]!["timeOffsets"] = new JsonObject
        {
            ["boottime"] = new JsonObject { ["secs"] = OffsetSeconds, ["nanosecs"] = 0 },
            ["monotonic"] = new JsonObject { ["secs"] = 2 * OffsetSeconds, ["nanosecs"] = 0 },
        };
        _bundle.WithArgs("sh", "-c", "cat /proc/uptime; readlink /proc/self/ns/time");

        double before = HostUptime();
        ProcessResult run = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "--bundle", _bundle.Directory, "timens"]);
        double after = HostUptime();

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        double inside = double.Parse(lines[0].Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.That(inside, Is.InRange(before + OffsetSeconds - 0.01, after + OffsetSeconds + 0.01));
        Assert.That(lines[1], Is.Not.EqualTo(new FileInfo("/proc/self/ns/time").LinkTarget), "its own time namespace");
        Assert.That(_root.Containers, Is.Empty);
    }

    [Test]
    public void TimeOffsets_WithoutATimeNamespace_AreRefusedByName_AndLeaveNothing()
    {
        _bundle.Config["linux"]!["timeOffsets"] = new JsonObject { ["boottime"] = new JsonObject { ["secs"] = 5 } };
        _bundle.WithArgs("true");

        ProcessResult run = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "--bundle", _bundle.Directory, "timens-bad"]);

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.StandardError, Does.Contain("linux.timeOffsets"));
        Assert.That(_root.Containers, Is.Empty);
    }
}
