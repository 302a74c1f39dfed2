using Containers.Linux.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs run [-d] [-b bundle] id</c>: create and start; without -d wait and return the container's exit code.</summary>
internal static class RunCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        (ContainerRecord record, SpawnedProcess process) = ContainerLauncher.Launch(line, store, waitForStart: false, out TerminalProxy? terminal, out NotifySocket? notify);
        using (terminal)
        using (notify)
        using (process)
        {
            // With prestart/createRuntime hooks the init waited on the fifo while they ran.
            string fifo = store.FifoOf(record.Id);
            if (File.Exists(fifo))
            {
                StartCommand.Release(fifo);
            }

            ContainerHooks.Started(store, record);
            if (line.Switch("--detach"))
            {
                // runc -d returns once the container said READY (or ended), MAINPID being its init.
                notify?.Forward(record.Pid, record.Pid);
                return 0;
            }

            if (notify is not null)
            {
                // In the foreground runc reports itself as MAINPID while it waits for the container (threads are allowed after the clone).
                new Thread(() => notify.Forward(Environment.ProcessId, record.Pid)) { IsBackground = true, Name = "runcs sd_notify" }.Start();
            }

            terminal?.Start();
            int code = ForwardingWait.Wait(process);
            terminal?.Drain();

            if (!line.Switch("--keep"))
            {
                Oci.Runtime.Spec? spec = ContainerHooks.SpecOf(store, record.Id);
                ContainerCgroups.Destroy(record);
                store.Remove(record.Id);
                ContainerHooks.Deleted(spec, record);
            }

            return code;
        }
    }
}
