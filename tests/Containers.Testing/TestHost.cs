namespace Containers.Testing;

/// <summary>Facts about the machine the tests run on, and visible skips when one is missing.</summary>
public static class TestHost
{
    /// <summary>True when the tests run as root (CI does).</summary>
    public static bool IsRoot => Environment.UserName == "root" || GetEffectiveUid() == 0;

    /// <summary>Skips the test visibly unless it runs as root.</summary>
    public static void RequireRoot(string why)
    {
        if (!IsRoot)
        {
            Assert.Ignore($"needs root ({why}); CI runs as root");
        }
    }

    /// <summary>Skips the test visibly unless <paramref name="path"/> exists (an apt package CI installs).</summary>
    public static void RequireTool(string path, string package)
    {
        if (!File.Exists(path))
        {
            Assert.Ignore($"{path} is missing: apt-get install {package} (scripts/install-deps.sh does)");
        }
    }

    /// <summary>Finds the repository root (the folder holding Containers.sln).</summary>
    public static string RepositoryRoot()
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Containers.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Containers.sln not found above " + AppContext.BaseDirectory);
    }

    private static uint GetEffectiveUid()
    {
        // /proc/self/status "Uid:\treal\teffective\tsaved\tfs"
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return uint.MaxValue;
    }
}
