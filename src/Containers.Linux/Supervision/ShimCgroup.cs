using Containers.Linux.Cgroups;

namespace Containers.Linux.Supervision;

/// <summary>
/// A task's cgroup as its init's /proc/PID/cgroup names it: whichever runtime made it and wherever
/// its spec (or the runtime's default) put it, the kernel's answer is the one place to read.
/// </summary>
internal sealed class ShimCgroup
{
    private ShimCgroup(CgroupLayout layout, string path, string? memoryDirectory, bool memoryIsV2)
    {
        Layout = layout;
        Path = path;
        MemoryDirectory = memoryDirectory;
        MemoryIsV2 = memoryIsV2;
    }

    /// <summary>The host's cgroup layout.</summary>
    public CgroupLayout Layout { get; }

    /// <summary>The cgroup path (the memory controller's on v1, the cgroup2 path on unified hosts).</summary>
    public string Path { get; }

    /// <summary>The directory of the memory cgroup, or <see langword="null"/> when no hierarchy has the memory controller.</summary>
    public string? MemoryDirectory { get; }

    /// <summary>Whether <see cref="MemoryDirectory"/> is a cgroup2 directory (memory.events) rather than v1 (memory.oom_control).</summary>
    public bool MemoryIsV2 { get; }

    /// <summary>The cgroup of <paramref name="pid"/>.</summary>
    /// <exception cref="IOException">The process is gone.</exception>
    /// <exception cref="UnsupportedException">No cgroup hierarchy is mounted.</exception>
    public static ShimCgroup Of(int pid)
    {
        CgroupLayout layout = CgroupLayout.Detect();
        string? v1Memory = null;
        string? v2 = null;
        string? anyV1 = null;
        foreach (string line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                v2 = parts[2];
            }
            else if (parts[1].Split(',').Contains("memory"))
            {
                v1Memory = parts[2];
            }
            else if (parts[1].Length > 0 && !parts[1].StartsWith("name=", StringComparison.Ordinal))
            {
                anyV1 ??= parts[2];
            }
        }

        if (layout.Mode == CgroupMode.Unified)
        {
            string path = v2 ?? "/";
            string directory = System.IO.Path.Join(layout.UnifiedMountPoint, path);
            bool hasMemory = File.Exists(System.IO.Path.Combine(directory, "memory.events"));
            return new ShimCgroup(layout, path, hasMemory ? directory : null, memoryIsV2: true);
        }

        string? mount = layout.GetV1MountPoint("memory");
        if (v1Memory is not null && mount is not null)
        {
            return new ShimCgroup(layout, v1Memory, System.IO.Path.Join(mount, v1Memory), memoryIsV2: false);
        }

        // Hybrid with memory on cgroup2 (or no memory controller at all).
        string? unifiedDirectory = layout.UnifiedMountPoint is not null && v2 is not null ? System.IO.Path.Join(layout.UnifiedMountPoint, v2) : null;
        bool unifiedMemory = unifiedDirectory is not null && File.Exists(System.IO.Path.Combine(unifiedDirectory, "memory.events"));
        return new ShimCgroup(layout, anyV1 ?? v2 ?? "/", unifiedMemory ? unifiedDirectory : null, memoryIsV2: unifiedMemory);
    }
}
