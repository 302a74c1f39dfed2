using System.Runtime.InteropServices;
using Containers.Linux.Runtime;

namespace Containers.Runc.Commands;

/// <summary>The foreground wait of run and exec: signals runcs receives go to the process, as runc forwards them.</summary>
internal static class ForwardingWait
{
    /// <summary>Signals runc forwards to the container when it is not detached.</summary>
    private static readonly int[] Forwarded = [1, 2, 3, 10, 12, 14, 15, 28];

    /// <summary>Waits for <paramref name="process"/> and returns its exit code (128 + signal).</summary>
    public static int Wait(SpawnedProcess process)
    {
        // The clone is done, so the runtime's signal thread may now exist: forward what runcs
        // receives to the process instead of dying and orphaning it.
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
                    // The process is already gone; the wait below returns its status.
                }
            }));
        }

        int code = process.WaitForExit();
        foreach (PosixSignalRegistration registration in registrations)
        {
            registration.Dispose();
        }

        return code;
    }
}
