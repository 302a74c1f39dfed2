namespace Containers.Linux.Runtime;

/// <summary>
/// The container's time namespace: unshare(CLONE_NEWTIME) only creates it for the children of the caller, and its
/// offsets can be written only until a process is in it — so the child writes linux.timeOffsets to
/// /proc/self/timens_offsets (which names the namespace for children) and then enters it with setns, being
/// single-threaded, before anything of the container runs (runc 1.2 also unshares, writes the offsets, then runs
/// the init inside).
/// </summary>
internal static unsafe partial class ChildProcess
{
    private static void EnterTimeNamespace(ChildProgram* p)
    {
        if (p->TimeOffsets == null)
        {
            return;
        }

        Check(p, Sys(p, p->Nr.Unshare, (long)Interop.CLONE_NEWTIME), ChildStep.TimeNamespace, 0);
        int offsets = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->TimeOffsetsPath, Interop.O_WRONLY | Interop.O_CLOEXEC), ChildStep.TimeNamespace, 1);
        Check(p, Sys(p, p->Nr.Write, offsets, (long)p->TimeOffsets, Length(p->TimeOffsets)), ChildStep.TimeNamespace, 2);
        Sys(p, p->Nr.Close, offsets);
        int ns = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->TimeForChildrenPath, Interop.O_RDONLY | Interop.O_CLOEXEC), ChildStep.TimeNamespace, 3);
        Check(p, Sys(p, p->Nr.Setns, ns, (long)Interop.CLONE_NEWTIME), ChildStep.TimeNamespace, 3);
        Sys(p, p->Nr.Close, ns);
    }
}
