using Containers.Oci.Runtime;

namespace Containers.Linux.Cgroups;

/// <summary>
/// The device rules a container gets by default, as runc's specconv builds them: the spec's own
/// <c>linux.resources.devices</c> rules, then the standard allow-list, then an rwm rule for every
/// device node the spec creates (<c>linux.devices</c>). Later rules win.
/// </summary>
public static class CgroupDeviceDefaults
{
    /// <summary>
    /// runc's AllowedDevices: mknod of any char or block device; rwm on /dev/null, zero, full,
    /// random, urandom, tty, ptmx, /dev/pts/* and /dev/net/tun (runc 1.1.5 has no /dev/console rule;
    /// the engine bind-mounts the console from the pty).
    /// </summary>
    public static IReadOnlyList<LinuxDeviceCgroup> AllowedDevices { get; } =
    [
        Rule("c", null, null, "m"),
        Rule("b", null, null, "m"),
        Rule("c", 1, 3, "rwm"),     // /dev/null
        Rule("c", 1, 8, "rwm"),     // /dev/random
        Rule("c", 1, 7, "rwm"),     // /dev/full
        Rule("c", 5, 0, "rwm"),     // /dev/tty
        Rule("c", 1, 5, "rwm"),     // /dev/zero
        Rule("c", 1, 9, "rwm"),     // /dev/urandom
        Rule("c", 136, null, "rwm"), // /dev/pts/*
        Rule("c", 5, 2, "rwm"),     // /dev/ptmx
        Rule("c", 10, 200, "rwm"),  // /dev/net/tun
    ];

    /// <summary>The complete rule list for a container (see the type's summary for the order).</summary>
    public static IList<LinuxDeviceCgroup> ForContainer(LinuxResources? resources, IEnumerable<LinuxDevice>? devices)
    {
        List<LinuxDeviceCgroup> rules = [.. resources?.Devices ?? []];
        rules.AddRange(AllowedDevices);
        foreach (LinuxDevice device in devices ?? [])
        {
            if (device.Type is "c" or "b" or "u")
            {
                rules.Add(Rule(device.Type == "b" ? "b" : "c", device.Major, device.Minor, "rwm"));
            }
        }

        return rules;
    }

    private static LinuxDeviceCgroup Rule(string type, long? major, long? minor, string access)
        => new() { Allow = true, Type = type, Major = major, Minor = minor, Access = access };
}
