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
    private readonly List<ShellProcess> _processes = [];

    public static string NewPath(string what = "") => "/containers-dotnet-test-" + what + Guid.NewGuid().ToString("N")[..12];

    public T Track<T>(T manager)
        where T : ICgroupManager
    {
        _managers.Add(manager);
        _directories.AddRange(manager.Directories.Values);
        return manager;
    }

    public void TrackDirectory(string directory) => _directories.Add(directory);

    /// <summary>Starts a waiting shell script and moves it into the manager's cgroup.</summary>
    public ShellProcess StartIn(ICgroupManager manager, string script)
    {
        ShellProcess process = ShellProcess.Start(script);
        _processes.Add(process);
        manager.AddProcess(process.Pid);
        return process;
    }

    public static void WaitUntil(Func<bool> condition)
    {
        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)), "condition not reached");
            Thread.Sleep(20);
        }
    }

    /// <summary>Kills, destroys, and returns the directories that still exist afterwards.</summary>
    public List<string> Cleanup()
    {
        foreach (ShellProcess process in _processes)
        {
            process.Dispose();
        }

        _processes.Clear();
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
