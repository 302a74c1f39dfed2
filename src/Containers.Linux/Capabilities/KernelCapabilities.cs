using System.Globalization;

namespace Containers.Linux.Capabilities;

/// <summary>What the running kernel knows about capabilities.</summary>
internal static class KernelCapabilities
{
    /// <summary>The highest capability number this kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public static int LastCapability()
        => int.Parse(KernelFile.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
