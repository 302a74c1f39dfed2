using System.Globalization;
using Containers.Client;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>What the shim tests read from /proc and the task service: a process's parent, whether it lives, a run's init pid, namespaces.</summary>
internal static class ShimProbe
{
    public static int ParentOf(int pid)
    {
        string line = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        return int.Parse(line["PPid:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the process runs (a zombie waiting for a parent that never reaps does not count).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') is false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The run's init pid once its task is running (bounded wait; fails the test if the run ended first).</summary>
    public static async Task<int> RunningPidAsync(ContainerClient client, string id, Task<RunResult> run)
    {
        for (int i = 0; i < 2400; i++)
        {
            Assert.That(run.IsCompleted, Is.False, "the run waits for its input");
            try
            {
                TaskState state = await client.Tasks.StateAsync(id, null);
                if (state.Status == ProcessStatus.Running)
                {
                    return state.Pid;
                }
            }
            catch (NotFoundException)
            {
                // Not created yet.
            }

            await Task.Delay(50);
        }

        Assert.Fail($"task {id} never ran");
        return 0;
    }

    /// <summary>The network and IPC namespaces <paramref name="pid"/> holds descriptors of (made ahead for its next container; its own are under /proc/pid/ns).</summary>
    public static string[] NamespacesHeldBy(int pid)
        => [.. Directory.GetFileSystemEntries($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget)
            .OfType<string>().Where(link => link.StartsWith("net:[", StringComparison.Ordinal) || link.StartsWith("ipc:[", StringComparison.Ordinal))];

    /// <summary>The target of a /proc link, such as <c>net:[4026531840]</c> for /proc/pid/ns/net.</summary>
    public static string LinkOf(string path) => new FileInfo(path).LinkTarget ?? throw new AssertionException(path + " is not a link");
}
