namespace Containers.Linux.Cgroups;

/// <summary>Creates the right <see cref="ICgroupManager"/> for the host's cgroup layout.</summary>
public static class CgroupManager
{
    /// <summary>
    /// A manager for <paramref name="cgroupPath"/> (already resolved by
    /// <see cref="CgroupPath.Resolve"/>): the v1 manager on legacy and hybrid hosts (it also
    /// joins the cgroup2 hierarchy on hybrid hosts, as runc does), the v2 manager on unified ones.
    /// </summary>
    public static ICgroupManager Open(CgroupLayout layout, string cgroupPath)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(cgroupPath);
        if (!cgroupPath.StartsWith('/') || cgroupPath.Split('/').Contains(".."))
        {
            throw new InvalidSpecException("linux.cgroupsPath", $"'{cgroupPath}' is not a resolved absolute cgroup path");
        }

        return layout.Mode == CgroupMode.Unified
            ? new CgroupV2Manager(layout.UnifiedMountPoint!, cgroupPath)
            : new CgroupV1Manager(layout, cgroupPath);
    }

    /// <summary>Resolves the spec's cgroupsPath and opens a manager for it on this host.</summary>
    public static ICgroupManager Open(string? cgroupsPath, string containerId, string parent = CgroupPath.DefaultParent)
        => Open(CgroupLayout.Detect(), CgroupPath.Resolve(cgroupsPath, containerId, parent));
}
