using Containers.Linux.Cgroups;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>
/// Unique test cgroup paths and their cleanup: every manager a test opens through the scope is
/// emptied and destroyed at the end, and the scope reports any directory left in any hierarchy.
/// </summary>
internal sealed class CgroupTestScope
{
    private readonly List<ICgroupManager> _managers = [];
    private readonly List<string> _directories = [];

    public static string NewPath(string what = "") => "/containers-dotnet-test-" + what + Guid.NewGuid().ToString("N")[..12];

    public T Track<T>(T manager)
        where T : ICgroupManager
    {
        _managers.Add(manager);
        _directories.AddRange(manager.Directories.Values);
        return manager;
    }

    public void TrackDirectory(string directory) => _directories.Add(directory);

    /// <summary>Kills, destroys, and returns the directories that still exist afterwards.</summary>
    public List<string> Cleanup()
    {
        foreach (ICgroupManager manager in _managers)
        {
            try
            {
                if (manager.Exists())
                {
                    try
                    {
                        manager.Thaw();
                    }
                    catch (Exception ex) when (ex is CgroupException or UnsupportedException or IOException)
                    {
                    }

                    manager.KillAll();
                    for (int i = 0; i < 100 && manager.GetPids().Count > 0; i++)
                    {
                        Thread.Sleep(20);
                    }

                    manager.Destroy();
                }
            }
            catch (Exception ex) when (ex is CgroupException or IOException or UnsupportedException)
            {
                TestContext.Out.WriteLine("cleanup: " + ex.Message);
            }
        }

        foreach (string directory in _directories.Where(Directory.Exists).ToList())
        {
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException ex)
            {
                TestContext.Out.WriteLine("cleanup: " + ex.Message);
            }
        }

        List<string> leaked = [.. _directories.Distinct().Where(Directory.Exists)];
        _managers.Clear();
        _directories.Clear();
        return leaked;
    }
}
