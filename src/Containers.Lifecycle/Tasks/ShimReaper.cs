using System.Runtime.InteropServices;
using Containers.Linux;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Reaps the shim daemons this host started. <see cref="ShimLauncher"/> spawns each daemon itself, in a session of its
/// own, so each is this process's child until it exits, and nobody else reaps it (.NET reaps only the children of its
/// <c>Process</c> class). One background thread, made with the first shim, waits on their pidfds in an epoll set and
/// reaps each as it exits, so no zombie is left; a shim that outlives this process is re-parented as before.
/// </summary>
internal static class ShimReaper
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, SafeFdHandle> Children = [];
    private static SafeFdHandle? s_epoll;

    /// <summary>Takes <paramref name="pid"/> (a child of this process) to reap when it exits.</summary>
    public static void Adopt(int pid)
    {
        int pidfd = global::Interop.PidfdOpen(pid);
        if (pidfd < 0)
        {
            // No descriptor to spare (the kernel has pidfd_open: clone3, which the engine needs, came with it): a pool
            // thread waits for this one.
            _ = Task.Run(() => global::Interop.WaitForChild(pid));
            return;
        }

        SafeFdHandle handle = new(pidfd);
        lock (Gate)
        {
            if (s_epoll is null)
            {
                s_epoll = new SafeFdHandle(global::Interop.ThrowOnError(global::Interop.EpollCreate1(global::Interop.EPOLL_CLOEXEC), "epoll_create1"));
                new Thread(Loop) { IsBackground = true, Name = "shim reaper" }.Start(s_epoll);
            }

            Children[pidfd] = handle;
            global::Interop.EpollAdd(s_epoll.Fd, pidfd, global::Interop.EPOLLIN);
        }
    }

    private static unsafe void Loop(object? state)
    {
        SafeFdHandle epoll = (SafeFdHandle)state!;
        int size = global::Interop.EpollEventSize;
        byte* events = stackalloc byte[size * 16];
        while (true)
        {
            int count = global::Interop.EpollWait(epoll.Fd, events, 16, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == global::Interop.EINTR)
                {
                    continue;
                }

                return; // cannot happen with a valid epoll descriptor; the children are re-parented when this process ends
            }

            for (int i = 0; i < count; i++)
            {
                int pidfd = (int)*(ulong*)(events + (i * size) + global::Interop.EpollDataOffset);
                try
                {
                    _ = global::Interop.WaitPidfd(pidfd); // readable: it exited, so this returns at once
                }
                catch (LinuxErrorException)
                {
                    // Reaped already (cannot happen: nobody else waits for these); dropped below either way.
                }

                lock (Gate)
                {
                    global::Interop.EpollRemove(epoll.Fd, pidfd);
                    if (Children.Remove(pidfd, out SafeFdHandle? handle))
                    {
                        handle.Dispose();
                    }
                }
            }
        }
    }
}
