namespace Containers.Linux.Tests.Clients;

/// <summary>What a client run may leave on the host: mounts below a directory, cgroup directories, network namespaces.</summary>
public static class ClientLeftovers
{
    private const string CgroupRoot = "/sys/fs/cgroup";

    /// <summary>Mount points at or below <paramref name="directory"/>.</summary>
    public static string[] MountsBelow(string directory)
    {
        string prefix = directory.TrimEnd('/') + "/";
        return [.. File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m == directory || m.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary><paramref name="cgroup"/> (a path such as <c>/clients-1234</c>) in every hierarchy where it exists.</summary>
    public static string[] CgroupDirectories(string cgroup)
        => [.. Hierarchies().Select(h => Path.Join(h, cgroup)).Where(Directory.Exists)];

    /// <summary>
    /// Removes <paramref name="cgroup"/> and the directories below it (children first) in every hierarchy. Only for a
    /// cgroup the test made up itself (a unique name); rmdir refuses a cgroup that still holds a process.
    /// </summary>
    public static void RemoveCgroup(string cgroup)
    {
        foreach (string directory in CgroupDirectories(cgroup))
        {
            foreach (string child in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
            {
                TryRemove(child);
            }

            TryRemove(directory);
        }
    }

    /// <summary>Names under /run/netns (bind-mounted network namespaces).</summary>
    public static string[] NetworkNamespaces()
        => Directory.Exists("/run/netns") ? [.. Directory.GetFileSystemEntries("/run/netns").Select(p => Path.GetFileName(p))] : [];

    /// <summary>Pids of processes whose command line contains <paramref name="text"/> (a sandbox's directory, say).</summary>
    public static int[] ProcessesMentioning(string text)
    {
        List<int> pids = [];
        foreach (string directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out int pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Join(directory, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return [.. pids];
    }

    private static void TryRemove(string directory)
    {
        try
        {
            // A cgroup directory holds only the kernel's files: rmdir(2), never a recursive delete.
            Directory.Delete(directory, recursive: false);
        }
        catch (IOException)
        {
            // Still in use: the caller asserts on what is left.
        }
    }

    private static IEnumerable<string> Hierarchies()
    {
        if (File.Exists(Path.Join(CgroupRoot, "cgroup.procs")))
        {
            yield return CgroupRoot;
            yield break;
        }

        foreach (string directory in Directory.EnumerateDirectories(CgroupRoot))
        {
            if (File.Exists(Path.Join(directory, "cgroup.procs")) && new FileInfo(directory).LinkTarget is null)
            {
                yield return directory;
            }
        }
    }
}
