using Containers.Oci;
using Containers.Oci.Image;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Oci;

/// <summary>A spec generated from an image config runs under runcs on a busybox rootfs with the user, groups, env and cwd it says.</summary>
public sealed class GeneratedSpecRunTests
{
    [Test]
    public async Task GeneratedSpecRunsWithNamedUserEnvAndCwd()
    {
        TestHost.RequireRoot("runs a container");
        string runcs = await RuncsPublisher.GetPathAsync();
        using TempDirectory dir = new();
        string bundle = dir.Combine("bundle");
        string rootfs = Path.Combine(bundle, "rootfs");
        await BusyboxRootfs.CreateAsync(rootfs);
        // A user only known by name in the image, member of an extra group.
        await File.AppendAllTextAsync(Path.Combine(rootfs, "etc", "passwd"), "app:x:1234:2345::/home/app:/bin/sh\n");
        await File.AppendAllTextAsync(Path.Combine(rootfs, "etc", "group"), "app:x:2345:\nextra:x:3456:app\n");
        Directory.CreateDirectory(Path.Combine(rootfs, "srv", "work"));

        var image = new ImageConfig
        {
            Architecture = "amd64",
            OS = "linux",
            RootFs = new RootFs { Type = "layers", DiffIds = [] },
            Config = new ContainerConfig
            {
                User = "app",
                Env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=from-image"],
                Entrypoint = ["/bin/sh", "-c"],
                Cmd = ["echo default"],
                WorkingDir = "/srv/work",
            },
        };
        string id = "lc-spec-" + Guid.NewGuid().ToString("N")[..12];
        Spec spec = await SpecGenerator.GenerateAsync(new SpecContext("default", id) { RootfsPath = rootfs },
        [
            SpecOptions.WithImageConfig(image, "id -u; id -g; id -G; pwd; echo \"$GREETING $EXTRA\"; hostname; exit 3"),
            SpecOptions.WithEnv("EXTRA=from-option"),
            SpecOptions.WithHostname("generated"),
        ]);
        // The cgroup path is containerd's; runcs makes it under the host hierarchy, so keep it unique.
        spec.Linux!.CgroupsPath = $"/lifecycle-tests/{id}";
        await File.WriteAllBytesAsync(Path.Combine(bundle, "config.json"), RuntimeSpecJson.Serialize(spec));

        ToolResult run = await Tool.RunAsync(runcs, ["--root", dir.Combine("state"), "run", "--bundle", bundle, id], timeout: TimeSpan.FromMinutes(2));

        Assert.That(run.ExitCode, Is.EqualTo(3), run.StandardError);
        Assert.That(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "1234", "2345", "2345 3456", "/srv/work", "from-image from-option", "generated",
        }));
    }

    [Test]
    public async Task GeneratedSpecWithTheDefaultSeccompProfileRunsFiltered()
    {
        TestHost.RequireRoot("runs a container");
        if (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Ignore("the shipped default profile is x86-64's");
        }

        string runcs = await RuncsPublisher.GetPathAsync();
        using TempDirectory dir = new();
        string bundle = dir.Combine("bundle");
        string rootfs = Path.Combine(bundle, "rootfs");
        await BusyboxRootfs.CreateAsync(rootfs);
        string id = "lc-seccomp-" + Guid.NewGuid().ToString("N")[..12];
        Spec spec = await SpecGenerator.GenerateAsync(new SpecContext("default", id) { RootfsPath = rootfs },
        [
            SpecOptions.WithProcessArgs("/bin/sh", "-c", "grep '^Seccomp:' /proc/self/status; ls / >/dev/null && echo listed"),
            SpecOptions.WithSeccompDefault(),
        ]);
        spec.Linux!.CgroupsPath = $"/lifecycle-tests/{id}";
        await File.WriteAllBytesAsync(Path.Combine(bundle, "config.json"), RuntimeSpecJson.Serialize(spec));

        ToolResult run = await Tool.RunAsync(runcs, ["--root", dir.Combine("state"), "run", "--bundle", bundle, id], timeout: TimeSpan.FromMinutes(2));

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        // Mode 2 is SECCOMP_MODE_FILTER: runcs installed the generated profile, and ordinary commands still work under it.
        Assert.That(run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "Seccomp:\t2", "listed" }));
    }
}
