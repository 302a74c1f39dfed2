namespace Containers.Testing;

/// <summary>A private (0700) temporary directory removed on dispose, after unmounting anything left in it.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a fresh directory under the system temp folder.</summary>
    public TempDirectory(string prefix = "ctr-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public void Dispose()
    {
        // A test that failed half-way may leave mounts below us; never delete through a mount.
        foreach (string mountPoint in MountsBelow(Path).OrderByDescending(p => p.Length))
        {
            Tool.RunAsync("umount", ["-l", mountPoint]).GetAwaiter().GetResult();
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static IEnumerable<string> MountsBelow(string root)
    {
        string prefix = root.TrimEnd('/') + "/";
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string mountPoint = line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal);
            if (mountPoint == root || mountPoint.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return mountPoint;
            }
        }
    }
}
