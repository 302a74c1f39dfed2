using System.Runtime.InteropServices;
using Containers.Linux.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs run [-d] [-b bundle] id</c>: create and start; without -d wait and return the container's exit code.</summary>
internal static class RunCommand
{
    /// <summary>Signals runc forwards to the container when it is not detached.</summary>
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 14, 15, 28];

    public static int Execute(CommandLine line, ContainerStore store)
    {
        (ContainerRecord record, SpawnedProcess process) = ContainerLauncher.Launch(line, store, waitForStart: false, out TerminalProxy? terminal);
        using (terminal)
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
                return 0;
            }

            terminal?.Start();

            // The clone is done, so the runtime's signal thread may now exist: forward what runcs
            // receives to the container's init, as runc does, instead of dying and orphaning it.
            List<PosixSignalRegistration> registrations = [];
            foreach (int signal in Forwarded)
            {
                registrations.Add(PosixSignalRegistration.Create((PosixSignal)signal, context =>
                {
                    context.Cancel = true;
                    try
                    {
                        process.Signal(signal);
                    }
                    catch (Linux.LinuxErrorException)
                    {
                        // The container is already gone; the wait below returns its status.
                    }
                }));
            }

            int code = process.WaitForExit();
            terminal?.Drain();
            foreach (PosixSignalRegistration registration in registrations)
            {
                registration.Dispose();
            }

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
