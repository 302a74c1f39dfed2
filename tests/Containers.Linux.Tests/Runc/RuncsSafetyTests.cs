using System.Text.Json.Nodes;

namespace Containers.Linux.Tests.Runc;

/// <summary>DESIGN.md §5: mount targets stay inside the rootfs, no fd leaks, /proc may not be a symlink.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsSafetyTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private string? _hostDir;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-safety");
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        _bundle?.Dispose();
        if (_hostDir is not null)
        {
            Directory.Delete(_hostDir, recursive: true);
            _hostDir = null;
        }
    }

    private ProcessResult Runcs(params string[] args)
        => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args], _bundle.Directory);

    [Test]
    public void BindTarget_ThroughAnEscapingSymlink_LandsInsideTheRootfs()
    {
        _hostDir = Directory.CreateTempSubdirectory("runcs-bind-src-").FullName;
        File.WriteAllText(Path.Combine(_hostDir, "marker"), "inside");
        Directory.CreateDirectory(Path.Combine(_bundle.Rootfs, "landing"));
        File.CreateSymbolicLink(Path.Combine(_bundle.Rootfs, "data"), "/../../../../../landing");
        _bundle.Config["mounts"]!.AsArray().Add(JsonNode.Parse($$"""{"destination": "/data", "type": "bind", "source": "{{_hostDir}}", "options": ["rbind", "ro"]}"""));
        _bundle.WithArgs("cat", "/landing/marker");

        ProcessResult result = Runcs("run", "escape");

        Assert.That(result.StandardOutput, Is.EqualTo("inside"), result.ToString());
    }

    [Test]
    public void ProcTarget_ThatIsASymlink_IsRefused()
    {
        Directory.Delete(Path.Combine(_bundle.Rootfs, "proc"));
        File.CreateSymbolicLink(Path.Combine(_bundle.Rootfs, "proc"), "/tmp");
        _bundle.WithArgs("true");

        ProcessResult result = Runcs("run", "symlinked-proc");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StandardError, Does.Contain("MountTarget").And.Contain("/proc"));
    }

    [Test]
    public void DestinationWithDotDot_CannotClimbAboveTheRoot()
    {
        _bundle.Config["mounts"]!.AsArray().Add(JsonNode.Parse("""{"destination": "/../../../scratch", "type": "tmpfs", "source": "tmpfs"}"""));
        _bundle.WithArgs("sh", "-c", "grep -c ' /scratch ' /proc/self/mountinfo");

        ProcessResult result = Runcs("run", "dotdot");

        Assert.That(result.StandardOutput, Is.EqualTo("1\n"), result.ToString());
    }

    [Test]
    public void OnlyStdioIsOpenInTheContainer()
    {
        _bundle.WithArgs("ls", "/proc/self/fd");

        ProcessResult result = Runcs("run", "fds");

        // 0 1 2, and the fd ls itself opened on the directory.
        Assert.That(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "1", "2", "3" }), result.ToString());
    }

    [Test]
    public void HostileContainer_CannotReachTheRuncsBinary()
    {
        // CVE-2019-5736: runcs execs the container's program straight from the clone, so no host
        // binary runs inside the container; /proc/self/exe and /proc/1/exe are the container's own.
        byte[] before = System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RuncsBinary.Path));
        _bundle.Config["root"]!["readonly"] = false;
        _bundle.WithArgs("sh", "-c", "readlink /proc/1/exe; for f in /proc/self/exe /proc/1/exe; do echo pwned 2>/dev/null > $f || echo refused; done");

        ProcessResult result = Runcs("run", "hostile");

        Assert.That(result.StandardOutput, Is.EqualTo("/bin/busybox\nrefused\nrefused\n"), result.ToString());
        Assert.That(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RuncsBinary.Path)), Is.EqualTo(before));
    }

    [Test]
    public void MaskedFile_ReadsAsEmpty()
    {
        _bundle.WithArgs("sh", "-c", "wc -c < /proc/keys; ls /sys/firmware | wc -l");

        ProcessResult result = Runcs("run", "masked");

        Assert.That(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()), Is.EqualTo(new[] { "0", "0" }), result.ToString());
    }

    [Test]
    public void HostDevNullThatIsNotTheNullDevice_IsNotUsedForMasking()
    {
        // With a bind-mounted /dev the container's /dev/null is whatever the bundle provides.
        _hostDir = Directory.CreateTempSubdirectory("runcs-fake-dev-").FullName;
        File.WriteAllText(Path.Combine(_hostDir, "null"), "not a device");
        JsonArray mounts = _bundle.Config["mounts"]!.AsArray();
        foreach (JsonNode? mount in mounts.Where(m => ((string?)m!["destination"])!.StartsWith("/dev", StringComparison.Ordinal)).ToList())
        {
            mounts.Remove(mount);
        }

        mounts.Add(JsonNode.Parse($$"""{"destination": "/dev", "type": "bind", "source": "{{_hostDir}}", "options": ["rbind"]}"""));
        _bundle.WithArgs("true");

        ProcessResult result = Runcs("run", "fake-null");

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StandardError, Does.Contain("CheckDevNull"));
    }
}
