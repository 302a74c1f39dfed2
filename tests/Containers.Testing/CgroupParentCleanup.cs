namespace Containers.Testing;

/// <summary>
/// Removes the parent cgroup directories a test assembly caused to exist (runcs's default parent
/// <c>/containers-dotnet</c> and paths tests choose), as the tests must leave no cgroup behind.
/// Container cgroups are removed by <c>runcs delete</c>; their parents outlive them, as runc's do.
/// Only directories that did not exist when the assembly started are removed, and only when empty.
/// </summary>
public sealed class CgroupParentCleanup
{
    private const string Root = "/sys/fs/cgroup";
    private readonly List<string> _absent = [];

    private CgroupParentCleanup()
    {
    }

    /// <summary>Notes which of <paramref name="parents"/> (cgroup paths such as <c>/containers-dotnet</c>) are absent now in every hierarchy.</summary>
    public static CgroupParentCleanup Begin(params string[] parents)
    {
        CgroupParentCleanup cleanup = new();
        if (!Directory.Exists(Root))
        {
            return cleanup;
        }

        foreach (string hierarchy in Hierarchies())
        {
            foreach (string parent in parents)
            {
                string directory = Path.Join(hierarchy, parent);
                if (!Directory.Exists(directory))
                {
                    cleanup._absent.Add(directory);
                }
            }
        }

        return cleanup;
    }

    /// <summary>Removes the noted directories that exist now and are empty (rmdir refuses a cgroup with children or tasks).</summary>
    public void End()
    {
        foreach (string directory in _absent)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    // A cgroup directory holds only the kernel's control files: rmdir(2), never a recursive delete.
                    Directory.Delete(directory, recursive: false);
                }
            }
            catch (IOException)
            {
                // Still in use (a container of another process, or a leak a test reports on its own).
            }
        }
    }

    private static IEnumerable<string> Hierarchies()
    {
        // v1 controllers (and named hierarchies) are directories under /sys/fs/cgroup; on a
        // unified host /sys/fs/cgroup is itself the hierarchy; a hybrid host adds "unified".
        if (File.Exists(Path.Join(Root, "cgroup.procs")))
        {
            yield return Root;
            yield break;
        }

        foreach (string directory in Directory.EnumerateDirectories(Root))
        {
            if (File.Exists(Path.Join(directory, "cgroup.procs")) && new FileInfo(directory).LinkTarget is null)
            {
                yield return directory;
            }
        }
    }
}
