using System.Text.Json.Nodes;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// A bundle built at test time: a busybox rootfs (Debian's busybox-static with one symlink per
/// applet) and the config.json of <c>runcs spec</c>, edited for a non-interactive test.
/// </summary>
public sealed class TestBundle : IDisposable
{
    public TestBundle()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("runcs-bundle-").FullName;
        Rootfs = System.IO.Path.Combine(Directory, "rootfs");
        string bin = System.IO.Path.Combine(Rootfs, "bin");
        System.IO.Directory.CreateDirectory(bin);
        File.Copy("/bin/busybox", System.IO.Path.Combine(bin, "busybox"));
        ProcessResult list = Commands.Run("/bin/busybox", ["--list"]);
        foreach (string applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (applet != "busybox")
            {
                File.CreateSymbolicLink(System.IO.Path.Combine(bin, applet), "busybox");
            }
        }

        foreach (string dir in new[] { "proc", "sys", "dev", "tmp", "etc" })
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Rootfs, dir));
        }

        ProcessResult spec = Commands.Run(RuncsBinary.Path, ["spec"], Directory);
        Assert.That(spec.ExitCode, Is.Zero, spec.ToString());
        Config = JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();
        Config["process"]!["terminal"] = false;
        Config["hostname"] = "runcs-test";

        // The oracle tests compare mountinfo with runc's, whose cgroup binds name runc's own cgroup
        // paths; the cgroup tests (RuncsCgroupTests) put the mount back.
        JsonArray mounts = Config["mounts"]!.AsArray();
        foreach (JsonNode? mount in mounts.Where(m => (string?)m!["type"] == "cgroup").ToList())
        {
            mounts.Remove(mount);
        }

        Config["linux"]!.AsObject().Remove("resources");
        Save();
    }

    public string Directory { get; }

    public string Rootfs { get; }

    public string ConfigPath => System.IO.Path.Combine(Directory, "config.json");

    public JsonObject Config { get; }

    public JsonObject Process => Config["process"]!.AsObject();

    /// <summary>Sets process.args and writes config.json.</summary>
    public TestBundle WithArgs(params string[] args)
    {
        Process["args"] = new JsonArray([.. args.Select(a => (JsonNode)JsonValue.Create(a))]);
        Save();
        return this;
    }

    /// <summary>
    /// A new user namespace mapping container root to host uid and gid 100000 (65536 ids), with the rootfs owned to
    /// match and the bundle directory searchable by that uid; writes config.json.
    /// </summary>
    public TestBundle WithNewUserNamespace()
    {
        Assert.That(Commands.Run("chown", ["-R", "-h", "100000:100000", Rootfs]).ExitCode, Is.Zero);
        File.SetUnixFileMode(Directory, (UnixFileMode)0x1ED);
        JsonObject linux = Config["linux"]!.AsObject();
        linux["namespaces"]!.AsArray().Add(JsonNode.Parse("""{"type": "user"}"""));
        linux["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        linux["gidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        Save();
        return this;
    }

    public void Save() => File.WriteAllText(ConfigPath, Config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
