using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs start id</c>: release a created container's init by reading its exec fifo.</summary>
internal static class StartCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        string id = Verbs.SingleId(line);
        ContainerRecord record = store.Load(id);
        string status = store.StatusOf(record);
        if (status != ContainerStatus.Created)
        {
            throw new FailedPreconditionException($"cannot start a container that is {status}");
        }

        // runc's start binds the sd_notify socket set up at create, releases the init and waits for READY.
        using NotifySocket? notify = NotifySocket.FromEnvironment(store.DirectoryOf(id)) is { WasSetUp: true } socket ? socket : null;
        notify?.Bind();
        Release(store.FifoOf(id));
        ContainerHooks.Started(store, record);
        notify?.Forward(record.Pid, record.Pid);
        return 0;
    }

    /// <summary>Opens the fifo for reading (which unblocks the init's open for writing), reads its byte, removes it.</summary>
    public static void Release(string fifo)
    {
        using Linux.SafeFdHandle handle = new(Interop.ThrowOnError(Interop.Open(fifo, Interop.O_RDONLY | Interop.O_CLOEXEC, 0), "open", fifo));
        Span<byte> one = stackalloc byte[1];
        if (Interop.ReadFully(handle.Fd, one) != 1)
        {
            throw new FailedPreconditionException("the container's init went away before it could be started");
        }

        File.Delete(fifo);
    }
}
