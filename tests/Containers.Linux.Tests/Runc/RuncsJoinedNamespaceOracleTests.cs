using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// Namespaces joined by path (linux.namespaces[].path) where runc 1.1 does more than a plain setns: a joined mount
/// namespace, in which the root is set up; and a joined namespace next to a new user namespace (joined first, with
/// the host's capabilities, then the user namespace created). Each namespace is held by a process the test starts
/// with unshare(1) and kills afterwards; runcs and runc run the same bundle against their own holder.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class RuncsJoinedNamespaceOracleTests
{
    private readonly List<Process> _holders = [];
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private RuncStateRoot _runcRoot = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        TestHost.RequireTool("/usr/bin/unshare", "util-linux");
        TestHost.RequireTool("/usr/sbin/runc", "runc");
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-joinns");
        _runcRoot = new RuncStateRoot("joinns");
    }

    [TearDown]
    public void TearDown()
    {
        foreach (Process holder in _holders)
        {
            if (!holder.HasExited)
            {
                holder.Kill();
            }

            holder.WaitForExit();
            holder.Dispose();
        }

        _holders.Clear();
        _runcRoot?.Dispose();
        _root?.Dispose();
        _bundle?.Dispose();
    }

    [Test]
    public void JoinedMountNamespace_SeesTheHoldersMountsAndMountinfoMatchesRunc()
    {
        Directory.CreateDirectory(Path.Combine(_bundle.Rootfs, "marker"));
        _bundle.WithArgs("sh", "-c", "ls /marker; readlink /proc/self/ns/mnt; cat /proc/self/mountinfo");

        string runcs = RunJoinedToMarkerHolder(runc: false, out string runcsHolder);
        string runc = RunJoinedToMarkerHolder(runc: true, out string runcHolder);

        Assert.That(Lines(runcs)[0], Is.EqualTo("HELLO"), "the holder's marker tmpfs on <rootfs>/marker");
        Assert.That(Lines(runcs)[1], Is.EqualTo(runcsHolder), "the init is in the holder's mount namespace");
        Assert.That(Lines(runc)[1], Is.EqualTo(runcHolder));
        Assert.That(Normalize(runcs), Is.EqualTo(Normalize(runc)));
        Assert.That(runcs, Does.Contain(" /marker rw,relatime - tmpfs marker "));
    }

    [Test]
    public void JoinedNetworkNamespace_NextToANewUserNamespace_MatchesRunc()
    {
        WithNewUserNamespaceAndHostSys();

        string hostUser = new FileInfo("/proc/self/ns/user").LinkTarget!;
        (string runcs, string runcsNet) = RunJoinedToNetHolder(runc: false, hostUser);
        (string runc, string runcNet) = RunJoinedToNetHolder(runc: true, hostUser);

        Assert.That(runcs, Is.EqualTo(runc));
        Assert.That(runcs, Does.Contain("100000").And.Contain("own-user").And.Contain("joined-net").And.Contain("uid=0 gid=0"));
        Assert.That(runcsNet, Is.Not.EqualTo(new FileInfo("/proc/self/ns/net").LinkTarget));
        Assert.That(runcNet, Is.Not.EqualTo(new FileInfo("/proc/self/ns/net").LinkTarget));
    }

    [Test]
    public void JoinedNetworkNamespace_NextToANewUserNamespace_HooksSeeTheInitsPid()
    {
        WithNewUserNamespaceAndHostSys();

        // The createContainer hook runs as the container's root (host uid 100000).
        using TempDirectory output = new("runcs-joinns-hooks-");
        File.SetUnixFileMode(output.Path, (UnixFileMode)0x1FF);
        JsonObject Recorder(string name) => new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"cat > '{output.Combine(name + ".json")}'"),
        };
        _bundle.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(Recorder("prestart")),
            ["createContainer"] = new JsonArray(Recorder("createContainer")),
        };
        Process holder = StartHolder(["-n", "sh", "-c", "echo ready && exec sleep 600"]);
        SetPath("network", $"/proc/{holder.Id}/ns/net");
        _bundle.WithArgs("true");

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "create", "--bundle", _bundle.Directory, "joinns-hooks"]);
        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        ProcessResult state = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "state", "joinns-hooks"]);
        int pid = (int)JsonNode.Parse(state.StandardOutput)!["pid"]!;

        Assert.That(new FileInfo($"/proc/{pid}/ns/net").LinkTarget, Is.EqualTo(new FileInfo($"/proc/{holder.Id}/ns/net").LinkTarget));
        Assert.That((int?)JsonNode.Parse(File.ReadAllText(output.Combine("prestart.json")))!["pid"], Is.EqualTo(pid));
        Assert.That((int?)JsonNode.Parse(File.ReadAllText(output.Combine("createContainer.json")))!["pid"], Is.EqualTo(pid));
    }

    [Test]
    public void JoinedMountNamespace_NextToANewUserNamespace_IsRefusedByPathAndLeavesNothing()
    {
        JsonObject linux = _bundle.Config["linux"]!.AsObject();
        JsonArray namespaces = linux["namespaces"]!.AsArray();
        int index = namespaces.Select(n => (string?)n!["type"]).ToList().IndexOf("mount");
        namespaces[index]!["path"] = "/proc/self/ns/mnt";
        namespaces.Add(JsonNode.Parse("""{"type": "user"}"""));
        linux["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        linux["gidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        _bundle.WithArgs("true");

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "create", "--bundle", _bundle.Directory, "refused"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain($"linux.namespaces[{index}].path").And.Contain("another user namespace"));
        Assert.That(_root.Containers, Is.Empty);
    }

    /// <summary>
    /// A holder in its own mount namespace (private propagation) with a tmpfs on the rootfs's /marker; the bundle
    /// joins it. runc and runcs both pivot the holder's root too (pivot_root moves every process rooted at "/"), so
    /// each run gets a fresh holder. Returns the container's output and the holder's namespace link.
    /// </summary>
    private string RunJoinedToMarkerHolder(bool runc, out string holderNamespace)
    {
        string marker = Path.Combine(_bundle.Rootfs, "marker");
        Process holder = StartHolder(["-m", "--propagation", "private", "sh", "-c", $"mount -t tmpfs marker '{marker}' && touch '{marker}/HELLO' && echo ready && exec sleep 600"]);
        holderNamespace = new FileInfo($"/proc/{holder.Id}/ns/mnt").LinkTarget!;
        SetPath("mount", $"/proc/{holder.Id}/ns/mnt");
        Assert.That(File.Exists(Path.Combine(marker, "HELLO")), Is.False, "the marker is the holder's alone");
        return Run(runc);
    }

    private (string Output, string HolderNamespace) RunJoinedToNetHolder(bool runc, string hostUser)
    {
        Process holder = StartHolder(["-n", "sh", "-c", "echo ready && exec sleep 600"]);
        string net = new FileInfo($"/proc/{holder.Id}/ns/net").LinkTarget!;
        SetPath("network", $"/proc/{holder.Id}/ns/net");
        _bundle.WithArgs(
            "sh",
            "-c",
            $"cat /proc/self/uid_map /proc/self/gid_map; id; hostname; [ $(readlink /proc/self/ns/user) = '{hostUser}' ] && echo host-user || echo own-user; [ $(readlink /proc/self/ns/net) = '{net}' ] && echo joined-net; grep -c : /proc/net/dev");
        return (Run(runc), net);
    }

    private string Run(bool runc)
    {
        if (runc)
        {
            return _runcRoot.Run(_bundle.Directory);
        }

        ProcessResult result = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "run", "joinns-" + Guid.NewGuid().ToString("N")[..8]], _bundle.Directory);
        Assert.That(result.ExitCode, Is.Zero, "runcs: " + result);
        return result.StandardOutput;
    }

    /// <summary>Starts unshare(1) (exec'd at once by the Process class: no managed code in the child) and waits for its "ready".</summary>
    private Process StartHolder(string[] args)
    {
        ProcessStartInfo info = new("/usr/bin/unshare") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        Process holder = Process.Start(info)!;
        _holders.Add(holder);
        Assert.That(holder.StandardOutput.ReadLine(), Is.EqualTo("ready"), "the namespace holder started");
        return holder;
    }

    /// <summary>
    /// A new user namespace, and the host's /sys bound instead of a sysfs mount: sysfs cannot be mounted by a user
    /// namespace that does not own the network namespace (runc fails there too), as in runc's rootless spec.
    /// </summary>
    private void WithNewUserNamespaceAndHostSys()
    {
        _bundle.WithNewUserNamespace();
        foreach (JsonNode? mount in _bundle.Config["mounts"]!.AsArray().Where(m => (string?)m!["type"] == "sysfs"))
        {
            mount!["type"] = "none";
            mount["source"] = "/sys";
            mount["options"] = JsonNode.Parse("""["rbind", "nosuid", "noexec", "nodev", "ro"]""");
        }

        _bundle.Save();
    }

    private void SetPath(string type, string path)
    {
        foreach (JsonNode? ns in _bundle.Config["linux"]!["namespaces"]!.AsArray().Where(n => (string?)n!["type"] == type))
        {
            ns!["path"] = path;
        }

        _bundle.Save();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Drops the namespace link, mount ids and peer-group numbers, which differ run to run.</summary>
    private static string Normalize(string output)
        => string.Join('\n', Lines(output).Skip(2).Select(line => PeerGroup().Replace(string.Join(' ', line.Split(' ').Skip(3)), "$1:N")));

    [GeneratedRegex(@"(shared|master|propagate_from):\d+")]
    private static partial Regex PeerGroup();
}
