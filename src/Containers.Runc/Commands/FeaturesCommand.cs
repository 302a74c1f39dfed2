using Containers.Oci.Runtime;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs features</c>: the runtime-spec features document. Only what runcs does today is
/// claimed: the cgroup drivers (cgroupfs on v1, v2 and hybrid hosts; no systemd driver), the
/// namespaces it creates (time only where the kernel has it), the capabilities it knows, and the six
/// hook kinds, in runc's order.
/// </summary>
internal static class FeaturesCommand
{
    public static int Execute(CommandLine line)
    {
        if (line.Arguments.Count != 0)
        {
            throw new UsageException("\"features\" takes no arguments");
        }

        Features features = new()
        {
            OciVersionMin = "1.0.0",
            OciVersionMax = "1.2.0",
            MountOptions = [.. Containers.Linux.Mounts.MountOptions.Known],
            Hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
            Linux = new LinuxFeatures
            {
                Namespaces = [
                    LinuxNamespaceType.Cgroup, LinuxNamespaceType.Ipc, LinuxNamespaceType.Mount, LinuxNamespaceType.Network, LinuxNamespaceType.Pid, LinuxNamespaceType.User, LinuxNamespaceType.Uts,
                    .. File.Exists("/proc/self/ns/time") ? [LinuxNamespaceType.Time] : Array.Empty<string>()],
                Capabilities = [.. LinuxCapability.All],
                Cgroup = new CgroupFeatures { V1 = true, V2 = true, Systemd = false, SystemdUser = false, Rdma = true },
                // As runc's: "enabled" is the runtime's support, not the host's. runcs applies process.apparmorProfile as runc
                // does; of SELinux it sets only process.selinuxLabel (linux.mountLabel is refused), so it does not claim it.
                Apparmor = new FeatureSupport { Enabled = true },
                Selinux = new FeatureSupport { Enabled = false },
                IntelRdt = new FeatureSupport { Enabled = false },
                MountExtensions = new MountExtensionsFeatures { IdMap = new FeatureSupport { Enabled = true } },
            },
        };
        Output.Out(RuntimeSpecJson.Serialize(features));
        Output.Out("\n");
        return 0;
    }
}
