using Containers.Oci.Runtime;
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
        catch (NotFoundException) when (line.Switch("--force"))
        {
            return 0;
        }

        string status = store.StatusOf(record);
        if (status == ContainerStatus.Running && !line.Switch("--force"))
        {
            throw new FailedPreconditionException($"cannot delete container {id} that is not stopped: {status}");
        }

        if (status != ContainerStatus.Stopped)
        {
            // A created container is killed without --force, as runc does: it never ran anything.
            using Linux.SafeFdHandle pidfd = KillCommand.Send(record, store, Interop.SIGKILL);
            Interop.PollFd poll = new() { Fd = pidfd.Fd, Events = Interop.POLLIN };
            if (Interop.Poll(&poll, 1, 10_000) <= 0)
            {
                throw new FailedPreconditionException($"container {id} did not die within 10 s of SIGKILL");
            }
        }

        Spec? spec = ContainerHooks.SpecOf(store, id);
        store.Remove(id);
        ContainerHooks.Deleted(spec, record);
        return 0;
    }
}
