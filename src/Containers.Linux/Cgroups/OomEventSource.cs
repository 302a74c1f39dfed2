using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Cgroups;

/// <summary>
/// Kernel OOM notifications for one cgroup. v1: an eventfd registered on memory.oom_control
/// through cgroup.event_control, which the kernel signals on every OOM (and when the cgroup is
/// removed). v2: inotify on memory.events, which the kernel modifies when a counter changes.
/// </summary>
internal static class OomEventSource
{
    private const int PollMilliseconds = 200;

    public static async IAsyncEnumerable<ulong> WatchV1Async(string memoryDirectory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string oomControl = Path.Combine(memoryDirectory, "memory.oom_control");
        int controlFd = Interop.Cgroups.Open(oomControl, Interop.Cgroups.O_RDONLY | Interop.Cgroups.O_CLOEXEC);
        if (controlFd < 0)
        {
            throw Error(oomControl, "open");
        }

        int eventFd = Interop.Cgroups.EventFd(0, Interop.Cgroups.EFD_CLOEXEC);
        try
        {
            if (eventFd < 0)
            {
                throw Error(memoryDirectory, "eventfd");
            }

            CgroupFiles.Write(memoryDirectory, "cgroup.event_control", $"{eventFd} {controlFd}");
            ulong notifications = 0;
            while (true)
            {
                bool ready = await WaitReadableAsync(eventFd, cancellationToken).ConfigureAwait(false);
                if (!ready)
                {
                    continue;
                }

                notifications += DrainCounter(eventFd);
                if (!Directory.Exists(memoryDirectory))
                {
                    // The kernel also signals the eventfd when the cgroup goes away.
                    yield break;
                }

                // The notification comes when the cgroup hits OOM, which can be before the kill is
                // counted in oom_kill; never report fewer events than were notified.
                yield return Math.Max(ReadOomKill(memoryDirectory, "memory.oom_control"), notifications);
            }
        }
        finally
        {
            if (eventFd >= 0)
            {
                Interop.Cgroups.Close(eventFd);
            }

            Interop.Cgroups.Close(controlFd);
        }
    }

    public static async IAsyncEnumerable<ulong> WatchV2Async(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string events = Path.Combine(directory, "memory.events");
        if (!File.Exists(events))
        {
            throw new UnsupportedException($"{events} does not exist: the memory controller is not enabled for this cgroup2 hierarchy");
        }

        int inotify = Interop.Cgroups.InotifyInit1(Interop.Cgroups.IN_CLOEXEC);
        if (inotify < 0)
        {
            throw Error(directory, "inotify_init1");
        }

        try
        {
            if (Interop.Cgroups.InotifyAddWatch(inotify, events, Interop.Cgroups.IN_MODIFY) < 0)
            {
                throw Error(events, "inotify_add_watch");
            }

            ulong last = ReadOomKill(directory, "memory.events");
            while (true)
            {
                bool ready = await WaitReadableAsync(inotify, cancellationToken).ConfigureAwait(false);
                if (ready)
                {
                    DrainInotify(inotify);
                }

                if (!Directory.Exists(directory))
                {
                    yield break;
                }

                ulong now = ReadOomKill(directory, "memory.events");
                if (now != last)
                {
                    last = now;
                    yield return now;
                }
            }
        }
        finally
        {
            Interop.Cgroups.Close(inotify);
        }
    }

    /// <summary>The oom_kill counter of memory.oom_control (v1) or memory.events (v2).</summary>
    public static ulong ReadOomKill(string directory, string file)
        => CgroupFiles.ReadKeyValues(directory, file).TryGetValue("oom_kill", out ulong count) ? count : 0;

    private static async Task<bool> WaitReadableAsync(int fd, CancellationToken cancellationToken)
    {
        // poll(2) with a short timeout on a pool thread keeps cancellation responsive without a
        // thread parked forever in read(2).
        cancellationToken.ThrowIfCancellationRequested();
        return await Task.Run(() => Poll(fd), cancellationToken).ConfigureAwait(false);
    }

    private static unsafe bool Poll(int fd)
    {
        Interop.Cgroups.PollFd pollFd = new() { Fd = fd, Events = Interop.Cgroups.POLLIN };
        return Interop.Cgroups.Poll(&pollFd, 1, PollMilliseconds) > 0 && (pollFd.Revents & Interop.Cgroups.POLLIN) != 0;
    }

    private static unsafe ulong DrainCounter(int eventFd)
    {
        ulong counter = 0;
        return Interop.Cgroups.Read(eventFd, &counter, sizeof(ulong)) == sizeof(ulong) ? counter : 0;
    }

    private static unsafe void DrainInotify(int inotify)
    {
        byte* buffer = stackalloc byte[4096];
        _ = Interop.Cgroups.Read(inotify, buffer, 4096);
    }

    private static CgroupException Error(string path, string operation)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new CgroupException(path, new StringBuilder().Append(operation).Append(" failed: ").Append(Marshal.GetPInvokeErrorMessage(errno)).ToString());
    }
}
