using Containers.Linux.Supervision;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// The shim's cgroup2 OOM source at the file level: this hybrid host's cgroup2 hierarchy has no
/// memory controller, so the real v1 path is what the container tests exercise.
/// </summary>
public sealed class OomWatchTests
{
    [Test]
    public void ACgroup2WatchCountsOomKillIncreasesOfMemoryEvents()
    {
        using TempDirectory directory = new("oomwatch-");
        string events = directory.Combine("memory.events");
        File.WriteAllText(events, "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        using OomWatch watch = OomWatch.Open(directory.Path, v2: true);
        Assert.That(watch.Drain(), Is.Zero, "what was counted before the watch is no event");

        File.WriteAllText(events, "low 0\nhigh 0\nmax 5\noom 3\noom_kill 3\n");
        Assert.That(Readable(watch), Is.True, "inotify reported the modification");
        Assert.That(watch.Drain(), Is.EqualTo(2UL));

        File.WriteAllText(events, "low 0\nhigh 0\nmax 6\noom 3\noom_kill 3\n");
        Assert.That(Readable(watch), Is.True);
        Assert.That(watch.Drain(), Is.Zero, "a change of another counter is no OOM kill");
        Assert.That(watch.Gone, Is.False);
    }

    private static bool Readable(OomWatch watch) => FifoInterop.WaitReadable(watch.Fd.Fd, 10_000);
}
