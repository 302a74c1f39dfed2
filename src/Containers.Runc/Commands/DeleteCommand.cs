using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs delete [--force] id</c>: remove a stopped (or, with --force, any) container.</summary>
internal static class DeleteCommand
{
    public static unsafe int Execute(CommandLine line, ContainerStore store)
    {
        string id = Verbs.SingleId(line);
        ContainerRecord record;
        try
        {
            record = store.Load(id);
        }
        catch (NotFoundException) when (Force(line))
        {
            return 0;
        }

        string status = store.StatusOf(record);
        if (status is ContainerStatus.Running or ContainerStatus.Paused && !Force(line))
        {
            throw new FailedPreconditionException($"cannot delete container {id} that is not stopped: {status}");
        }

        if (status != ContainerStatus.Stopped)
        {
            // A created container is killed without --force, as runc does: it never ran anything.
            using Linux.SafeFdHandle pidfd = KillCommand.Send(record, store, Interop.SIGKILL);
            if (status == ContainerStatus.Paused)
            {
                // A frozen init acts on its pending SIGKILL once thawed; it never runs user code again.
                ContainerCgroups.Of(record).Thaw();
            }

            Interop.PollFd poll = new() { Fd = pidfd.Fd, Events = Interop.POLLIN };
            if (Interop.Poll(&poll, 1, 10_000) <= 0)
            {
                throw new FailedPreconditionException($"container {id} did not die within 10 s of SIGKILL");
            }
        }

        Spec? spec = ContainerHooks.SpecOf(store, id);

        // Processes the init left behind (no pid namespace) die with the cgroup.
        ContainerCgroups.Destroy(record);
        store.Remove(id);
        ContainerHooks.Deleted(spec, record);
        return 0;
    }

    // "-f" is --force here, not list's --format.
    private static bool Force(CommandLine line) => line.Switch("--force") || line.Switch("-f");
}
