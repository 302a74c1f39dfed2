namespace Containers.Oci.Runtime;

/// <content>Rules for <c>linux</c> outside resources and seccomp.</content>
public static partial class SpecValidator
{
    private const uint NanosecondsPerSecond = 1_000_000_000;

    private static void ValidateLinux(Linux linux, string? hostname, string? domainname)
    {
        HashSet<string> namespaces = ValidateNamespaces(linux.Namespaces);

        // config.md: on Linux the hostname can only be set in a UTS namespace of the container's
        // own; runc and crun refuse it too, since sethostname would rename the host.
        if (!string.IsNullOrEmpty(hostname) && !namespaces.Contains(LinuxNamespaceType.Uts))
        {
            Fail("hostname", "setting the hostname needs a uts namespace in linux.namespaces");
        }

        if (!string.IsNullOrEmpty(domainname) && !namespaces.Contains(LinuxNamespaceType.Uts))
        {
            Fail("domainname", "setting the domainname needs a uts namespace in linux.namespaces");
        }

        ValidateIdMappings(linux.UidMappings, "linux.uidMappings");
        ValidateIdMappings(linux.GidMappings, "linux.gidMappings");

        // As runc says: a mapping means nothing without a user namespace to write it into.
        if (linux.UidMappings is { Count: > 0 } && !namespaces.Contains(LinuxNamespaceType.User))
        {
            Fail("linux.uidMappings", "uid mappings require a user namespace in linux.namespaces");
        }

        if (linux.GidMappings is { Count: > 0 } && !namespaces.Contains(LinuxNamespaceType.User))
        {
            Fail("linux.gidMappings", "gid mappings require a user namespace in linux.namespaces");
        }

        // runc refuses a new user namespace without mappings: the kernel would leave every id
        // unmapped (the container's root would be the overflow uid 65534 and own nothing).
        if (linux.Namespaces?.Any(n => n?.Type == LinuxNamespaceType.User && n.Path is null) == true)
        {
            if (linux.UidMappings is not { Count: > 0 })
            {
                Fail("linux.uidMappings", "a new user namespace (linux.namespaces without a path) needs uid mappings");
            }

            if (linux.GidMappings is not { Count: > 0 })
            {
                Fail("linux.gidMappings", "a new user namespace (linux.namespaces without a path) needs gid mappings");
            }
        }

        ValidateTimeOffsets(linux.TimeOffsets, namespaces);
        ValidateDevices(linux.Devices);
        if (linux.RootfsPropagation is not null && !RootfsPropagation.IsKnown(linux.RootfsPropagation))
        {
            Fail("linux.rootfsPropagation", $"unknown rootfs propagation {Quote(linux.RootfsPropagation)}; expected one of {string.Join(", ", RootfsPropagation.All)}");
        }

        ValidateAbsoluteList(linux.MaskedPaths, "linux.maskedPaths");
        ValidateAbsoluteList(linux.ReadonlyPaths, "linux.readonlyPaths");
        if (linux.Personality is LinuxPersonality personality)
        {
            ValidateKnown(personality.Domain, "linux.personality.domain", PersonalityDomain.IsKnown, "personality domain");
        }

        if (linux.Resources is not null)
        {
            ValidateResources(linux.Resources);
        }

        if (linux.Seccomp is not null)
        {
            ValidateSeccomp(linux.Seccomp);
        }
    }

    private static HashSet<string> ValidateNamespaces(IList<LinuxNamespace>? namespaces)
    {
        HashSet<string> seen = new(StringComparer.Ordinal);
        if (namespaces is null)
        {
            return seen;
        }

        for (int i = 0; i < namespaces.Count; i++)
        {
            string path = Index("linux.namespaces", i);
            LinuxNamespace ns = NotNull(namespaces[i], path);
            ValidateKnown(ns.Type, path + ".type", LinuxNamespaceType.IsKnown, "namespace type");
            if (!seen.Add(ns.Type))
            {
                Fail(path + ".type", $"duplicate namespace type {Quote(ns.Type)}");
            }

            if (ns.Path is not null)
            {
                RequireAbsolute(ns.Path, path + ".path");
            }
        }

        return seen;
    }

    private static void ValidateTimeOffsets(IDictionary<string, LinuxTimeOffset>? offsets, HashSet<string> namespaces)
    {
        if (offsets is null || offsets.Count == 0)
        {
            return;
        }

        foreach (KeyValuePair<string, LinuxTimeOffset> offset in offsets)
        {
            string path = "linux.timeOffsets." + offset.Key;
            if (!TimeOffsetClock.IsKnown(offset.Key))
            {
                Fail(path, $"unknown clock {Quote(offset.Key)}; expected monotonic or boottime");
            }

            if (NotNull(offset.Value, path).Nanosecs is uint nanos && nanos >= NanosecondsPerSecond)
            {
                Fail(path + ".nanosecs", $"{nanos} is not less than one second");
            }
        }

        if (!namespaces.Contains(LinuxNamespaceType.Time))
        {
            Fail("linux.timeOffsets", "time offsets require a time namespace in linux.namespaces");
        }
    }

    private static void ValidateDevices(IList<LinuxDevice>? devices)
    {
        if (devices is null)
        {
            return;
        }

        for (int i = 0; i < devices.Count; i++)
        {
            string path = Index("linux.devices", i);
            LinuxDevice device = NotNull(devices[i], path);
            RequireAbsolute(device.Path, path + ".path");
            ValidateKnown(device.Type, path + ".type", LinuxDeviceType.IsKnown, "device type");
            if (device.Type != LinuxDeviceType.Fifo)
            {
                if (device.Major is null)
                {
                    Fail(path + ".major", $"required for device type {Quote(device.Type)}");
                }

                if (device.Minor is null)
                {
                    Fail(path + ".minor", $"required for device type {Quote(device.Type)}");
                }
            }
        }
    }

    private static void ValidateAbsoluteList(IList<string>? paths, string listPath)
    {
        if (paths is null)
        {
            return;
        }

        for (int i = 0; i < paths.Count; i++)
        {
            RequireAbsolute(paths[i], Index(listPath, i));
        }
    }
}
