namespace Containers.Linux.Runtime;

/// <summary>
/// --no-pivot, as runc's msMoveRoot: the rootfs mount is moved onto "/" and chroot'ed into. The host's mount tree
/// stays in the namespace underneath, so first every full proc and sysfs mount outside the rootfs is detached (or
/// covered by an empty tmpfs where it cannot be): the kernel lets a container mount a fresh proc/sysfs only when
/// no fully visible one exists, and chroot does not hide those the way pivot_root does.
/// </summary>
internal static unsafe partial class ChildProcess
{
    private const ulong MS_MOVE = 0x2000;

    private static void MoveRoot(ChildProgram* p, int root)
    {
        for (long i = 0; i < p->HostPseudoMountCount; i++)
        {
            byte* mountPoint = p->HostPseudoMounts[i];
            if (Sys(p, p->Nr.Mount, 0, (long)mountPoint, 0, (long)(Interop.MS_SLAVE | Interop.MS_REC), 0) < 0)
            {
                // A parent of it is already gone.
                if (Errno(p) == Interop.ENOENT)
                {
                    continue;
                }

                Fail(p, ChildStep.MoveRoot, 0);
            }

            if (Sys(p, p->Nr.Umount2, (long)mountPoint, Interop.MNT_DETACH) < 0)
            {
                if (Errno(p) != Interop.EINVAL && Errno(p) != Interop.EPERM)
                {
                    Fail(p, ChildStep.MoveRoot, 0);
                }

                Check(p, Sys(p, p->Nr.Mount, (long)p->Tmpfs, (long)mountPoint, (long)p->Tmpfs, 0, 0), ChildStep.MoveRoot, 0);
            }
        }

        Check(p, Sys(p, p->Nr.Fchdir, root), ChildStep.MoveRoot, 1);
        Check(p, Sys(p, p->Nr.Mount, (long)p->Rootfs, (long)p->Slash, 0, (long)MS_MOVE, 0), ChildStep.MoveRoot, 1);
        Check(p, Sys(p, p->Nr.Chroot, (long)p->Dot), ChildStep.MoveRoot, 2);
        Check(p, Sys(p, p->Nr.Chdir, (long)p->Slash), ChildStep.MoveRoot, 3);
        Sys(p, p->Nr.Close, root);
    }
}
