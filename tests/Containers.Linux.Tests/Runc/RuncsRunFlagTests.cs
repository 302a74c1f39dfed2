using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runc's create/run flags --no-pivot, --no-new-keyring (and the new session keyring by default), --preserve-fds
/// with socket activation, and --keep: the same bundle under runcs and runc 1.1 gives the same results.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class RuncsRunFlagTests
{
    private TestBundle _bundle = null!;
    private string _state = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _state = Path.Combine(Path.GetTempPath(), $"flags-state-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void TearDown()
    {
        if (_state is not null && Directory.Exists(_state))
        {
            foreach (string container in Directory.GetDirectories(_state))
            {
                Commands.Run(RuncsBinary.Path, ["--root", _state, "delete", "--force", Path.GetFileName(container)]);
                Commands.Run("runc", ["--root", _state, "delete", "--force", Path.GetFileName(container)]);
            }

            Directory.Delete(_state, recursive: true);
        }

        _bundle?.Dispose();
    }

    private static string Binary(string runtime) => runtime == "runcs" ? RuncsBinary.Path : "runc";

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..16];

    private ProcessResult Run(string runtime, string id, params string[] flags)
    {
        using RuncDevNullGuard guard = new();
        return Commands.Run(Binary(runtime), ["--root", _state, "run", .. flags, "--bundle", _bundle.Directory, id]);
    }

    [Test]
    public void NoPivot_ContainerSeesItsRootfs_AndTheSameMountsAsUnderRunc()
    {
        _bundle.WithArgs("sh", "-c", "ls /; echo ---; cat /proc/self/mountinfo; echo ---; mount -t proc proc /tmp && echo proc-mounted || echo proc-refused");

        ProcessResult runcs = Run("runcs", NewId("nopivot"), "--no-pivot");
        ProcessResult runc = Run("runc", NewId("nopivot"), "--no-pivot");

        Assert.That(runcs.ExitCode, Is.Zero, runcs.ToString());
        Assert.That(runc.ExitCode, Is.Zero, runc.ToString());
        string[] ours = runcs.StandardOutput.Split("---\n");
        string[] theirs = runc.StandardOutput.Split("---\n");
        Assert.That(ours[0].Split('\n'), Is.EquivalentTo(Directory.GetFileSystemEntries(_bundle.Rootfs).Select(Path.GetFileName).Append(string.Empty)), "/ is the rootfs");
        Assert.That(ours[0], Is.EqualTo(theirs[0]));
        Assert.That(MountPoints(ours[1]), Is.EqualTo(MountPoints(theirs[1])));
        Assert.That(ours[2].Trim(), Is.EqualTo(theirs[2].Trim()), "a fresh proc mount is allowed or refused alike");
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void SessionKeyring_IsNewAndNamedAfterTheContainer_UnlessNoNewKeyring(string runtime)
    {
        // /proc/keys is masked in runc's default spec; unmask it to read the keyrings.
        _bundle.Config["linux"]!["maskedPaths"] = new JsonArray([.. _bundle.Config["linux"]!["maskedPaths"]!.AsArray().Select(p => (string)p!).Where(p => p != "/proc/keys").Select(p => (JsonNode)JsonValue.Create(p))]);
        _bundle.WithArgs("cat", "/proc/keys");
        string id = NewId("keys");

        ProcessResult joined = Run(runtime, id);
        string keptId = NewId("keys");
        ProcessResult kept = Run(runtime, keptId, "--no-new-keyring");

        Assert.That(joined.ExitCode, Is.Zero, joined.ToString());
        Assert.That(kept.ExitCode, Is.Zero, kept.ToString());
        string[] session = joined.StandardOutput.Split('\n').Where(l => l.EndsWith("keyring   _ses." + id + ": empty", StringComparison.Ordinal) || l.Contains(" _ses." + id + ":", StringComparison.Ordinal)).ToArray();
        Assert.That(session, Has.Length.EqualTo(1), joined.StandardOutput);
        Assert.That(session[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], Is.EqualTo("3f1b0000"), "possessor all, user view/read/search/link, as runc sets it");
        Assert.That(kept.StandardOutput, Does.Not.Contain("_ses." + keptId), "--no-new-keyring keeps the caller's session keyring");
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void PreserveFds_PassesExactlyThatManyDescriptors_AfterTheSocketActivationOnes(string runtime)
    {
        string marker = Path.Combine(_bundle.Directory, "marker");
        File.WriteAllText(marker, "x");
        _bundle.WithArgs("sh", "-c", "for fd in 3 4 5 6; do [ -e /proc/self/fd/$fd ] && echo fd$fd=$(readlink /proc/self/fd/$fd); done; echo LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID");
        string id = NewId("fds");

        // fds 3 and 4 are systemd's (LISTEN_PID is the runtime's own pid after exec), 5 is preserved, 6 is not.
        ProcessResult run;
        using (RuncDevNullGuard guard = new())
        {
            run = Commands.Run("/bin/sh", ["-c", "exec 3<\"$0\" 4<\"$0\" 5<\"$0\" 6<\"$0\"; export LISTEN_FDS=2 LISTEN_PID=$$; exec \"$@\"", marker, Binary(runtime), "--root", _state, "run", "--preserve-fds", "1", "--bundle", _bundle.Directory, id]);
        }

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { $"fd3={marker}", $"fd4={marker}", $"fd5={marker}", "LISTEN_FDS=2 LISTEN_PID=1" }));
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void Keep_LeavesTheStoppedContainer_UntilDelete(string runtime)
    {
        _bundle.WithArgs("sh", "-c", "exit 3");
        string id = NewId("keep");

        ProcessResult run = Run(runtime, id, "--keep");
        ProcessResult state = Commands.Run(Binary(runtime), ["--root", _state, "state", id]);
        ProcessResult delete = Commands.Run(Binary(runtime), ["--root", _state, "delete", id]);

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(state.ExitCode, Is.Zero, state.ToString());
        Assert.That((string?)JsonNode.Parse(state.StandardOutput)!["status"], Is.EqualTo("stopped"));
        Assert.That(delete.ExitCode, Is.Zero, delete.ToString());
        Assert.That(Directory.Exists(Path.Combine(_state, id)), Is.False);
    }

    /// <summary>Mount points with their fs type and options, without ids and peer groups.</summary>
    private static string[] MountPoints(string mountinfo)
        => [.. mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => PeerGroup().Replace(string.Join(' ', l.Split(' ').Skip(4)), "$1:N"))];

    [GeneratedRegex(@"(shared|master|propagate_from):\d+")]
    private static partial Regex PeerGroup();
}
