using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs pause id</c> and <c>runcs resume id</c>: freeze and thaw every process in the container's cgroup.</summary>
internal static class PauseCommand
{
    public static int Pause(CommandLine line, ContainerStore store)
    {
        ContainerRecord record = store.Load(Verbs.SingleId(line));
        string status = store.StatusOf(record);
        if (status is not (ContainerStatus.Running or ContainerStatus.Created))
        {
            throw new FailedPreconditionException("container not running");
        }

        ContainerCgroups.Of(record).Freeze();
        return 0;
    }

    public static int Resume(CommandLine line, ContainerStore store)
    {
        ContainerRecord record = store.Load(Verbs.SingleId(line));
        if (store.StatusOf(record) != ContainerStatus.Paused)
        {
            throw new FailedPreconditionException("container not paused");
        }

        ContainerCgroups.Of(record).Thaw();
        return 0;
    }
}
