using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs kill [--all] id [signal]</c>: send a signal (default SIGTERM) to the init, through a
/// pidfd, or with <c>--all</c> to every process in the container's cgroup.
/// </summary>
internal static class KillCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        if (line.Arguments.Count is < 1 or > 2)
        {
            throw new UsageException("\"kill\" requires a container id and an optional signal");
        }

        int signal = line.Arguments.Count == 2 ? Signals.Parse(line.Arguments[1]) : Interop.SIGTERM;
        ContainerRecord record = store.Load(line.Arguments[0]);
        if (line.Switch("--all"))
        {
            // As runc: every process in the cgroup, even when the init has already exited
            // (SIGKILL through cgroup.kill where the kernel has it).
            ContainerCgroups.Of(record).KillAll(signal);
            return 0;
        }

        if (store.StatusOf(record) == ContainerStatus.Stopped)
        {
            throw new FailedPreconditionException("container not running");
        }

        Send(record, store, signal);
        return 0;
    }

    /// <summary>Opens a pidfd, re-checks that it is still the recorded init, and signals it.</summary>
    public static Linux.SafeFdHandle Send(ContainerRecord record, ContainerStore store, int signal)
    {
        Linux.SafeFdHandle pidfd = new(Interop.ThrowOnError(Interop.PidfdOpen(record.Pid), "pidfd_open"));

        // The pid may have been reused between the status check and pidfd_open; after pidfd_open
        // the start time check is race-free, since the pidfd pins the process.
        if (store.StatusOf(record) == ContainerStatus.Stopped)
        {
            pidfd.Dispose();
            throw new FailedPreconditionException("container not running");
        }

        Interop.ThrowOnError(Interop.PidfdSendSignal(pidfd.Fd, signal), "pidfd_send_signal");
        return pidfd;
    }
}
