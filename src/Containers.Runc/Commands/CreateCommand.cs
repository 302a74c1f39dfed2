using Containers.Linux.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs create [-b bundle] [--pid-file f] id</c>: set the container up; its init waits on exec.fifo.</summary>
internal static class CreateCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        (ContainerRecord _, SpawnedProcess process) = ContainerLauncher.Launch(line, store, waitForStart: true);
        process.Dispose();
        return 0;
    }
}
