using System.Runtime.InteropServices;
using Containers.Linux.Cgroups;

namespace Containers.Linux.Supervision;

/// <summary>
/// OOM notifications of one memory cgroup as a descriptor for the shim's epoll loop (no thread, no
/// timer): v1, an eventfd registered on memory.oom_control through cgroup.event_control, which the
/// kernel signals on every OOM and when the cgroup is removed; cgroup2, an inotify watch on
/// memory.events, whose oom_kill counter is compared with the last value read.
/// </summary>
internal sealed class OomWatch : IDisposable
{
    private const int EFD_NONBLOCK = 0x800;
    private const int IN_NONBLOCK = 0x800;
    private readonly string _directory;
    private readonly bool _v2;
    private readonly SafeFdHandle? _control;
    private ulong _lastKills;

    private OomWatch(SafeFdHandle fd, SafeFdHandle? control, string directory, bool v2)
    {
        Fd = fd;
        _control = control;
        _directory = directory;
        _v2 = v2;
        _lastKills = v2 ? OomEventSource.ReadOomKill(directory, "memory.events") : 0;
    }

    /// <summary>The descriptor the loop watches for input.</summary>
    public SafeFdHandle Fd { get; }

    /// <summary>Whether the cgroup is gone (nothing more will come).</summary>
    public bool Gone => !Directory.Exists(_directory);

    /// <summary>Registers for the OOM notifications of <paramref name="cgroup"/>'s memory cgroup; null when it has none.</summary>
    /// <exception cref="LinuxErrorException">eventfd, inotify or the registration failed.</exception>
    public static OomWatch? Open(ShimCgroup cgroup)
        => cgroup.MemoryDirectory is null ? null : Open(cgroup.MemoryDirectory, cgroup.MemoryIsV2);

    /// <summary>Registers for the OOM notifications of the memory cgroup <paramref name="directory"/> (cgroup2 when <paramref name="v2"/>).</summary>
    /// <exception cref="LinuxErrorException">eventfd, inotify or the registration failed.</exception>
    public static OomWatch Open(string directory, bool v2)
    {
        if (v2)
        {
            SafeFdHandle inotify = new(Interop.ThrowOnError(Interop.Cgroups.InotifyInit1(Interop.Cgroups.IN_CLOEXEC | IN_NONBLOCK), "inotify_init1"));
            string events = Path.Combine(directory, "memory.events");
            if (Interop.Cgroups.InotifyAddWatch(inotify.Fd, events, Interop.Cgroups.IN_MODIFY) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                inotify.Dispose();
                throw new LinuxErrorException("inotify_add_watch", errno, events);
            }

            return new OomWatch(inotify, null, directory, v2: true);
        }

        string oomControl = Path.Combine(directory, "memory.oom_control");
        SafeFdHandle control = new(Interop.ThrowOnError(Interop.Open(oomControl, Interop.O_RDONLY | Interop.O_CLOEXEC, 0), "open", oomControl));
        int eventFd = Interop.Cgroups.EventFd(0, Interop.Cgroups.EFD_CLOEXEC | EFD_NONBLOCK);
        if (eventFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            control.Dispose();
            throw new LinuxErrorException("eventfd", errno);
        }

        SafeFdHandle eventHandle = new(eventFd);
        try
        {
            CgroupFiles.Write(directory, "cgroup.event_control", $"{eventFd} {control.Fd}");
        }
        catch
        {
            eventHandle.Dispose();
            control.Dispose();
            throw;
        }

        return new OomWatch(eventHandle, control, directory, v2: false);
    }

    /// <summary>Reads what the descriptor holds: the number of new OOM events (0 for the v1 removal notice).</summary>
    public unsafe ulong Drain()
    {
        if (_v2)
        {
            byte* buffer = stackalloc byte[4096];
            while (Interop.Read(Fd.Fd, buffer, 4096) > 0)
            {
            }

            if (Gone)
            {
                return 0;
            }

            ulong kills = OomEventSource.ReadOomKill(_directory, "memory.events");
            ulong added = kills > _lastKills ? kills - _lastKills : 0;
            _lastKills = kills;
            return added;
        }

        ulong counter = 0;
        if (Interop.Read(Fd.Fd, (byte*)&counter, sizeof(ulong)) != sizeof(ulong))
        {
            return 0;
        }

        // The kernel signals the eventfd once more when the cgroup is removed: that is no OOM.
        return Gone ? 0 : counter;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Fd.Dispose();
        _control?.Dispose();
    }
}
