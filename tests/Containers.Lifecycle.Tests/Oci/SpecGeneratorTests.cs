using Containers.Oci;
using Containers.Oci.Image;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Oci;

/// <summary>
/// Expectations are what containerd's oci package produces for the same input (oci/spec.go
/// populateDefaultUnixSpec, oci/spec_opts.go WithImageConfigArgs/WithUser/WithAdditionalGIDs/WithTTY),
/// written out by hand from its source.
/// </summary>
public sealed class SpecGeneratorTests
{
    private TempDirectory _dir = null!;
    private string _rootfs = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _rootfs = _dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\n# comment\n\ndaemon:x:1:1::/usr/sbin:/bin/false\napp:x:1000:1001:App:/home/app:/bin/sh\nbroken line\nhuge:x:4294967296:1::/:/bin/sh\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc", "group"),
            "root:x:0:\nwheel:x:10:root,app\napp:x:1001:app\nstaff:x:50:app\naudio:x:63:daemon\n");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private SpecContext Context => new("default", "c1") { RootfsPath = _rootfs };

    private static ImageConfig Image(Action<ContainerConfig> configure)
    {
        var config = new ContainerConfig();
        configure(config);
        return new ImageConfig { Architecture = "amd64", OS = "linux", RootFs = new RootFs { Type = "layers", DiffIds = [] }, Config = config };
    }

    [Test]
    public async Task DefaultSpecMatchesContainerd()
    {
        Spec spec = await SpecGenerator.GenerateAsync(new SpecContext("tenant", "web"), [SpecOptions.WithProcessArgs("sh")]);
        string[] caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"];
        Assert.Multiple(() =>
        {
            Assert.That(spec.Root!.Path, Is.EqualTo("rootfs"));
            Assert.That(spec.Process!.Cwd, Is.EqualTo("/"));
            Assert.That(spec.Process.NoNewPrivileges, Is.True);
            Assert.That(spec.Process.User!.Uid, Is.Zero);
            Assert.That(spec.Process.Capabilities!.Bounding, Is.EqualTo(caps));
            Assert.That(spec.Process.Capabilities.Permitted, Is.EqualTo(caps));
            Assert.That(spec.Process.Capabilities.Effective, Is.EqualTo(caps));
            Assert.That(spec.Process.Capabilities.Inheritable, Is.Null.Or.Empty);
            Assert.That(spec.Process.Capabilities.Ambient, Is.Null.Or.Empty);
            Assert.That(spec.Process.Rlimits!.Select(r => (r.Type, r.Hard, r.Soft)), Is.EqualTo(new[] { ("RLIMIT_NOFILE", 1024UL, 1024UL) }));
            Assert.That(spec.Mounts!.Select(m => $"{m.Destination} {m.Type} {m.Source} {string.Join(',', m.Options!)}"), Is.EqualTo(new[]
            {
                "/proc proc proc nosuid,noexec,nodev",
                "/dev tmpfs tmpfs nosuid,strictatime,mode=755,size=65536k",
                "/dev/pts devpts devpts nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5",
                "/dev/shm tmpfs shm nosuid,noexec,nodev,mode=1777,size=65536k",
                "/dev/mqueue mqueue mqueue nosuid,noexec,nodev",
                "/sys sysfs sysfs nosuid,noexec,nodev,ro",
                "/run tmpfs tmpfs nosuid,strictatime,mode=755,size=65536k",
            }));
            Assert.That(spec.Linux!.MaskedPaths, Is.EqualTo(new[]
            {
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
            }));
            Assert.That(spec.Linux.ReadonlyPaths, Is.EqualTo(new[] { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" }));
            Assert.That(spec.Linux.CgroupsPath, Is.EqualTo("/tenant/web"));
            Assert.That(spec.Linux.Namespaces!.Select(n => n.Type), Is.EqualTo(new[] { "pid", "ipc", "uts", "mount", "network" }));
            Assert.That(spec.Linux.Resources!.Devices!.Single().Allow, Is.False);
            Assert.That(spec.Linux.Resources.Devices!.Single().Access, Is.EqualTo("rwm"));
        });
        // It serialises and round-trips through the foundation's model.
        Spec reparsed = RuntimeSpecJson.ParseSpec(RuntimeSpecJson.Serialize(spec));
        Assert.That(reparsed.Mounts, Has.Count.EqualTo(7));
    }

    [Test]
    public async Task ImageConfigGivesArgsEnvCwdAndRootGroups()
    {
        ImageConfig image = Image(c =>
        {
            c.Entrypoint = ["/bin/app", "--serve"];
            c.Cmd = ["--port", "80"];
            c.Env = ["PATH=/app/bin:/bin", "LANG=C.UTF-8"];
            c.WorkingDir = "/srv";
        });
        Spec spec = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(image)]);
        Assert.Multiple(() =>
        {
            Assert.That(spec.Process!.Args, Is.EqualTo(new[] { "/bin/app", "--serve", "--port", "80" }));
            Assert.That(spec.Process.Env, Is.EqualTo(new[] { "PATH=/app/bin:/bin", "LANG=C.UTF-8" }));
            Assert.That(spec.Process.Cwd, Is.EqualTo("/srv"));
            Assert.That(spec.Process.User!.Uid, Is.Zero);
            Assert.That(spec.Process.User.Gid, Is.Zero);
            Assert.That(spec.Process.User.AdditionalGids, Is.EqualTo(new uint[] { 0, 10 }), "root is in wheel; primary gid first");
        });

        Spec withArgs = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(image, "--port", "8080")]);
        Assert.That(withArgs.Process!.Args, Is.EqualTo(new[] { "/bin/app", "--serve", "--port", "8080" }), "args replace Cmd, not Entrypoint");
    }

    [Test]
    public async Task NoImageEnvGivesContainerdDefaultPathAndEarlierEnvOverrides()
    {
        Spec spec = await SpecGenerator.GenerateAsync(Context,
            [SpecOptions.WithEnv("A=1", "PATH=/mine"), SpecOptions.WithImageConfig(Image(c => c.Cmd = ["sh"])), SpecOptions.WithEnv("B=2", "A")]);
        Assert.That(spec.Process!.Env, Is.EqualTo(new[] { "PATH=/mine", "B=2" }), "spec env overrides image env in place; a bare key unsets");
        Spec plain = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(Image(c => c.Cmd = ["sh"]))]);
        Assert.That(plain.Process!.Env, Is.EqualTo(new[] { DefaultSpec.DefaultPathEnv }));
        Assert.That(DefaultSpec.DefaultPathEnv, Is.EqualTo("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    [TestCase("app", 1000u, 1001u, new uint[] { 1001, 10, 50 })]
    [TestCase("1000", 1000u, 1001u, new uint[] { 1001, 10, 50 })]
    [TestCase("app:staff", 1000u, 50u, new uint[] { 50, 10 })] // the group named like the user is not supplementary
    [TestCase("1000:63", 1000u, 63u, new uint[] { 63, 10, 50 })]
    [TestCase("4242", 4242u, 0u, new uint[] { 0 })]
    [TestCase("daemon:root", 1u, 0u, new uint[] { 0, 63 })]
    public async Task ImageUserIsResolvedInTheRootfs(string user, uint uid, uint gid, uint[] groups)
    {
        Spec spec = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(Image(c => { c.Cmd = ["sh"]; c.User = user; }))]);
        Assert.That(spec.Process!.User!.Uid, Is.EqualTo(uid));
        Assert.That(spec.Process.User.Gid, Is.EqualTo(gid));
        Assert.That(spec.Process.User.AdditionalGids, Is.EqualTo(groups));
    }

    [Test]
    public void UnknownNamesAndBadUserStringsAreTypedErrors()
    {
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("ghost")]),
            Throws.TypeOf<NotFoundException>().With.Property("Kind").EqualTo("user"));
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("app:ghosts")]),
            Throws.TypeOf<NotFoundException>().With.Property("Kind").EqualTo("group"));
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("a:b:c")]),
            Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("process.user"));
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("4294967296")]),
            Throws.TypeOf<InvalidSpecException>().With.Property("Problem").Contains("out of range"));
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("huge")]),
            Throws.TypeOf<NotFoundException>(), "a passwd line with an id over int32 max is ignored, not wrapped");
        Assert.That(async () => await SpecGenerator.GenerateAsync(new SpecContext("default", "c1"), [SpecOptions.WithUser("app")]),
            Throws.TypeOf<InvalidSpecException>().With.Property("Problem").Contains("rootfs"));
    }

    [Test]
    public async Task SymlinkedPasswdCannotEscapeTheRootfs()
    {
        // Outside the rootfs: a passwd that would map "app" to uid 0.
        File.WriteAllText(_dir.Combine("evil-passwd"), "app:x:0:0::/:/bin/sh\n");
        File.Delete(Path.Combine(_rootfs, "etc", "passwd"));
        File.CreateSymbolicLink(Path.Combine(_rootfs, "etc", "passwd"), "../../evil-passwd");
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("app")]), Throws.TypeOf<NotFoundException>(),
            "the link resolves inside the rootfs (to /evil-passwd there, which does not exist)");

        // The same file placed inside the rootfs is found through the same link.
        File.WriteAllText(Path.Combine(_rootfs, "evil-passwd"), "app:x:77:78::/:/bin/sh\n");
        Spec spec = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithProcessArgs("sh"), SpecOptions.WithUser("app")]);
        Assert.That(spec.Process!.User!.Uid, Is.EqualTo(77u));

        File.Delete(Path.Combine(_rootfs, "etc", "passwd"));
        File.CreateSymbolicLink(Path.Combine(_rootfs, "etc", "passwd"), "/proc/self/root/etc/passwd");
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("root")]), Throws.Exception,
            "a magic link is refused rather than followed to the host");
    }

    [Test]
    public void OversizedGroupFileIsRefused()
    {
        using (FileStream f = File.Create(Path.Combine(_rootfs, "etc", "group")))
        {
            f.SetLength((1 << 20) + 1);
        }

        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithUser("app:staff")]), Throws.TypeOf<SizeLimitExceededException>());
    }

    [Test]
    public async Task ProcessAndResourceOptions()
    {
        Spec spec = await SpecGenerator.GenerateAsync(Context,
        [
            SpecOptions.WithProcessArgs("/bin/sh", "-c", "true"),
            SpecOptions.WithTty(),
            SpecOptions.WithHostname("box"),
            SpecOptions.WithMemoryLimit(64 << 20),
            SpecOptions.WithCapabilities("CAP_NET_ADMIN", "CAP_KILL"),
            SpecOptions.WithMounts(new Mount { Destination = "/data", Type = "bind", Source = "/srv/data", Options = ["rbind", "ro"] }),
            SpecOptions.WithUserNamespace([new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }], [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }]),
        ]);
        Assert.Multiple(() =>
        {
            Assert.That(spec.Process!.Args, Is.EqualTo(new[] { "/bin/sh", "-c", "true" }));
            Assert.That(spec.Process.Terminal, Is.True);
            Assert.That(spec.Process.Env, Does.Contain("TERM=xterm"));
            Assert.That(spec.Hostname, Is.EqualTo("box"));
            Assert.That(spec.Linux!.Resources!.Memory!.Limit, Is.EqualTo(64L << 20));
            Assert.That(spec.Process.Capabilities!.Bounding, Is.EqualTo(new[] { "CAP_NET_ADMIN", "CAP_KILL" }));
            Assert.That(spec.Process.Capabilities.Effective, Is.EqualTo(new[] { "CAP_NET_ADMIN", "CAP_KILL" }));
            Assert.That(spec.Mounts!.Last().Destination, Is.EqualTo("/data"));
            Assert.That(spec.Linux.Namespaces!.Select(n => n.Type), Does.Contain("user"));
            Assert.That(spec.Linux.UidMappings!.Single().HostId, Is.EqualTo(100000u));
        });
    }

    [Test]
    public void BadOptionInputNamesTheField()
    {
        (SpecOption Option, string Path)[] cases =
        [
            (SpecOptions.WithMemoryLimit(-1), "linux.resources.memory.limit"),
            (SpecOptions.WithCapabilities("CAP_BOGUS"), "process.capabilities.bounding[0]"),
            (SpecOptions.WithMounts(new Mount { Destination = "relative" }), "mounts[7].destination"),
            (SpecOptions.WithHostname(new string('h', 65)), "hostname"),
            (SpecOptions.WithEnv("=x"), "process.env[0]"),
            (SpecOptions.WithProcessArgs(), "process.args"),
            (SpecOptions.WithUserNamespace([], []), "linux.uidMappings"),
        ];
        foreach ((SpecOption option, string path) in cases)
        {
            Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [option]),
                Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo(path), path);
        }
    }

    [Test]
    public void WindowsImageIsRefused()
    {
        ImageConfig image = Image(c => c.Cmd = ["cmd"]);
        image.OS = "windows";
        Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(image)]),
            Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("os"));
    }

    [Test]
    public async Task ImageVolumesBecomeTmpfsMountsAfterSanitising()
    {
        ImageConfig image = Image(c => { c.Cmd = ["sh"]; c.Volumes = new HashSet<string> { "/data/", "/var/lib/db", "/run" }; });
        Spec spec = await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageConfig(image), SpecOptions.WithImageVolumes(image)]);
        Assert.That(spec.Mounts!.Skip(7).Select(m => (m.Destination, m.Type)), Is.EqualTo(new[] { ("/data", "tmpfs"), ("/var/lib/db", "tmpfs") }),
            "/run is already mounted by the defaults");

        foreach (string bad in new[] { "/", "relative", "/a/../../etc", "/a/./b", "/a//b" })
        {
            ImageConfig hostile = Image(c => { c.Cmd = ["sh"]; c.Volumes = new HashSet<string> { bad }; });
            Assert.That(async () => await SpecGenerator.GenerateAsync(Context, [SpecOptions.WithImageVolumes(hostile)]),
                Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").StartsWith("config.Volumes"), bad);
        }
    }
}
