using Containers.Linux.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs run [-d] [-b bundle] id</c>: create and start; without -d wait and return the container's exit code.</summary>
internal static class RunCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        (ContainerRecord record, SpawnedProcess process) = ContainerLauncher.Launch(line, store, waitForStart: false);
        using (process)
        {
            if (line.Switch("--detach"))
            {
                return 0;
            }

            int code = process.WaitForExit();
            if (!line.Switch("--keep"))
            {
                store.Remove(record.Id);
            }

            return code;
        }
    }
}
