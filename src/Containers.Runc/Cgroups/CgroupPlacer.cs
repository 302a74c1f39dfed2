using Containers.Linux.Cgroups;
using Containers.Linux.Runtime;

namespace Containers.Runc.Cgroups;

/// <summary>
/// Moves the waiting child into the container's cgroup (already created, limits applied), so
/// nothing the container runs is ever outside it (DESIGN.md §2 point 7).
/// </summary>
internal sealed class CgroupPlacer : ICgroupPlacer
{
    private readonly ICgroupManager _manager;

    public CgroupPlacer(ICgroupManager manager)
    {
        _manager = manager;
    }

    public void Place(int pid) => _manager.AddProcess(pid);

    public ICgroupManager? SelfPlacementCgroup => _manager;
}
