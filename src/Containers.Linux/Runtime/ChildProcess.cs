using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// The clone and the container child (DESIGN.md §2 point 3). Everything after the clone runs in a
/// copy of the spawner with one thread and a heap that must not be touched: the code below only
/// reads the <see cref="ChildProgram"/>, keeps state in locals, and calls the two libc pointers
/// resolved before the clone. No allocation, no strings, no arrays, no statics, no exceptions,
/// no bounds-checked indexing (raw pointers only), no lambdas; every failure is written to the
/// status pipe as (step, errno, index) and ends in exit_group.
/// </summary>
internal static unsafe partial class ChildProcess
{
    private const int S_IFMT = 0xF000;
    private const int S_IFDIR = 0x4000;
    private const int S_IFCHR = 0x2000;
    private const int PR_SET_KEEPCAPS = 8;
    private const int PR_CAPBSET_DROP = 24;
    private const int PR_SET_NO_NEW_PRIVS = 38;
    private const int PR_CAP_AMBIENT = 47;
    private const int PR_CAP_AMBIENT_RAISE = 2;
    private const int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    private const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private const int CLOSE_RANGE_CLOEXEC = 4;
    private const int SIG_SETMASK = 2;
    private const int AT_STATX_SYNC_AS_STAT = 0;
    private const int STATX_TYPE = 1;
    private const int STATX_MODE = 2;

    /// <summary>
    /// Issues clone3 on the calling (main) thread. In the parent it returns the child's pid (or -1,
    /// errno in <paramref name="errno"/>); the child never returns from here.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long Clone(ChildProgram* program, Interop.CloneArgs* args, int* errno)
    {
        long pid = program->Syscall(program->Nr.Clone3, (long)args, sizeof(Interop.CloneArgs), 0, 0, 0, 0);
        if (pid == 0)
        {
            Run(program);
        }

        *errno = pid < 0 ? *program->ErrnoLocation() : 0;
        return pid;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(ChildProgram* p)
    {
        Sys(p, p->Nr.Close, p->StatusParentFd);
        Sys(p, p->Nr.Close, p->ReleaseParentFd);
        CloseSeccompParentSocket(p);
        CloseHookStateParent(p);

        // The parent releases the child only after it has checked that no GC suspension was
        // pending at the clone (a child inheriting one would block in its first GC poll forever).
        AwaitReleaseByte(p, (byte)'G');

        // Self-placement (v1): this task is the process's only thread, so moving it moves the process,
        // before anything of the container's runs; see CgroupSelfPlacement.
        for (long i = 0; i < p->PlacementFdCount; i++)
        {
            Check(p, Sys(p, p->Nr.Write, p->PlacementFds[i], (long)p->Zero, 1), ChildStep.CgroupPlacement, (int)i);
            Sys(p, p->Nr.Close, p->PlacementFds[i]);
        }

        // A second clone's init reads the release pipe after this child has cloned it.
        if (p->AwaitPlacement == 0 && p->HookPause == 0 && p->ExecMode != 2)
        {
            Sys(p, p->Nr.Close, p->ReleaseFd);
        }

        // Opened while this task still has the host credentials it was cloned with: the fifo sits in the
        // 0700 state directory, which the container's root (a host uid other than 0 in a user namespace)
        // cannot search. The start wait reopens it through /proc/self/fd, which needs only the fifo's own
        // mode (0622), as runc's init does with the O_PATH fd its parent passes.
        int execFifo = -1;
        if (p->ExecFifo != null)
        {
            execFifo = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->ExecFifo, Interop.O_PATH | Interop.O_CLOEXEC), ChildStep.OpenExecFifo, 0);
        }

        if (p->ExecMode == 1)
        {
            RunExec(p);
        }
        else if (p->ExecMode == 2)
        {
            CloneIntoJoinedNamespaces(p);
        }

        // linux.namespaces[].path: joined before anything else, as runc's nsexec does.
        JoinNamespaces(p);

        if ((p->CloneFlags & Interop.CLONE_NEWUSER) != 0)
        {
            // The maps are written now, but this task still holds the host ids it was cloned with,
            // which the new namespace does not map (files it creates would fail with EOVERFLOW).
            // Become the namespace's root for real before touching any filesystem.
            Check(p, Sys(p, p->Nr.SetResGid, 0, 0, 0), ChildStep.SetGid, -1);
            Check(p, Sys(p, p->Nr.SetResUid, 0, 0, 0), ChildStep.SetUid, -1);
        }

        // runc's init joins its session keyring first; the time namespace is entered before anything runs in it.
        JoinSessionKeyring(p);
        EnterTimeNamespace(p);
        ReadHookState(p);

        ResetSignalHandlers(p);
        Check(p, Sys(p, p->Nr.Setsid), ChildStep.Setsid, 0);

        int root = p->SetUpRootfs != 0 ? PrepareRootfs(p) : -1;

        // runc's order: the parent's prestart/createRuntime hooks, then createContainer, then pivot_root.
        RunCreateHooks(p, root);
        if (root >= 0)
        {
            EnterRootfs(p, root);
            CreateCwd(p);
        }

        if (p->ConsoleSocket >= 0)
        {
            // runc's order: after the mounts (the pty comes from the container's devpts), before
            // the rootfs is finalized (/dev/console is bound while /dev may still be written).
            SetUpConsole(p);
        }

        if (p->Hostname != null)
        {
            Check(p, Sys(p, p->Nr.SetHostname, (long)p->Hostname, p->HostnameLength), ChildStep.Hostname, 0);
        }

        if (p->Domainname != null)
        {
            Check(p, Sys(p, p->Nr.SetDomainname, (long)p->Domainname, p->DomainnameLength), ChildStep.Domainname, 0);
        }

        if (p->SetUpRootfs != 0)
        {
            FinalizeRootfs(p);
        }

        if (p->AwaitPlacement != 0)
        {
            // The parent moves this task into its cgroup while the root was being set up; nothing
            // of the container's own (limits, ids, exec) happens before it says "P".
            AwaitReleaseByte(p, (byte)'P');
            Sys(p, p->Nr.Close, p->ReleaseFd);
        }

        if (p->UnshareCgroup != 0)
        {
            // Now in the container's cgroup: root the new cgroup namespace there.
            Check(p, Sys(p, p->Nr.Unshare, (long)Interop.CLONE_NEWCGROUP), ChildStep.CgroupNamespace, 0);
        }

        FinishAndExec(p, execFifo);
    }

    /// <summary>
    /// The part of the path that is the process's own, shared by a container's init and an exec: limits,
    /// no_new_privs, seccomp, user and capabilities, cwd, umask, descriptors, signal mask, execve.
    /// </summary>
    [DoesNotReturn]
    private static void FinishAndExec(ChildProgram* p, int execFifo)
    {
        // runc applies the AppArmor profile and SELinux label in its init (and exec's setns init) before the limits,
        // no_new_privs and the user switch, while still root in the container with /proc mounted.
        WriteSecurityLabels(p);
        for (long i = 0; i < p->ResourceLimitCount; i++)
        {
            ChildResourceLimit* limit = p->ResourceLimits + i;
            Check(p, Sys(p, p->Nr.Prlimit64, 0, limit->Resource, (long)&limit->Soft, 0), ChildStep.ResourceLimit, (int)i);
        }

        if (p->NoNewPrivileges != 0)
        {
            Check(p, Sys(p, p->Nr.Prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), ChildStep.NoNewPrivileges, 0);
        }

        // runc's order: without no_new_privs, installing a filter needs CAP_SYS_ADMIN, so it goes in before
        // the capabilities are dropped and the user switched (the profile must then allow those calls).
        if (p->Seccomp != null && p->Seccomp->BeforeCapabilities != 0)
        {
            InstallSeccomp(p);
        }

        SetUpUserAndCapabilities(p);
        if (execFifo >= 0)
        {
            // runc looks the command up before it waits for start, so a missing one fails `create`, not the
            // container after `start` (which clients such as conmon and containerd's shim would only see as an exit).
            ResolveExecutable(p);
        }

        Sys(p, p->Nr.Umask, p->Umask);

        if (p->StdinFd >= 0)
        {
            Check(p, Sys(p, p->Nr.Dup3, p->StdinFd, 0, 0), ChildStep.Stdin, 0);
        }

        RedirectOutput(p);

        // Marking fds close-on-exec and clearing the mask come before the filter, so that a profile only has
        // to allow what runc's init also does after it: the start wait and execve.
        Check(p, Sys(p, p->Nr.CloseRange, 3 + p->PreserveFds, 0xFFFFFFFFL, CLOSE_RANGE_CLOEXEC), ChildStep.CloseRange, 0);
        Check(p, Sys(p, p->Nr.RtSigprocmask, SIG_SETMASK, (long)p->Zeroes, 0, 8), ChildStep.SignalMask, 0);

        // As late as possible, but before "ready" (runc installs it before closing its sync pipe): a refused
        // filter is a create-time error, and the notify fd reaches the agent while `create` still runs.
        if (p->Seccomp != null && p->Seccomp->BeforeCapabilities == 0)
        {
            InstallSeccomp(p);
        }

        if (execFifo >= 0)
        {
            AwaitStart(p, execFifo);
        }

        RunStartHooks(p, execFifo >= 0);
        Exec(p);
    }

    /// <summary>Reads one byte from the release pipe; anything but <paramref name="expected"/> (the parent gave up) ends the child.</summary>
    private static void AwaitReleaseByte(ChildProgram* p, byte expected)
    {
        byte release = 0;
        long n;
        do
        {
            n = Sys(p, p->Nr.Read, p->ReleaseFd, (long)&release, 1);
        }
        while (n < 0 && Errno(p) == Interop.EINTR);
        if (n != 1 || release != expected)
        {
            Exit(p, 2);
        }
    }

    /// <summary>
    /// The runtime's handlers (SIGSEGV, the suspension signal…) are meaningless here, and a
    /// container must not inherit ignored signals (the .NET Process class ignores SIGPIPE).
    /// </summary>
    private static void ResetSignalHandlers(ChildProgram* p)
    {
        for (long sig = 1; sig <= 64; sig++)
        {
            if (sig != 9 && sig != 19)
            {
                Sys(p, p->Nr.RtSigaction, sig, (long)p->Zeroes, 0, 8);
            }
        }
    }

    /// <summary>The mounts and devices inside the rootfs; returns an O_PATH fd of the rootfs (the process is still in the host's root).</summary>
    private static int PrepareRootfs(ChildProgram* p)
    {
        Check(p, Sys(p, p->Nr.Mount, 0, (long)p->Slash, 0, (long)p->RootPropagation, 0), ChildStep.RootPropagation, 0);
        Check(p, Sys(p, p->Nr.Mount, (long)p->Rootfs, (long)p->Rootfs, 0, (long)(Interop.MS_BIND | Interop.MS_REC), 0), ChildStep.RootBind, 0);
        int root = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Rootfs, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC), ChildStep.OpenRoot, 0);

        for (long i = 0; i < p->MountCount; i++)
        {
            MountOne(p, root, p->Mounts + i, (int)i);
        }

        if (p->DeviceCount > 0 || p->DevSymlinkCount > 0)
        {
            CreateDevices(p, root);
        }

        return root;
    }

    private static void EnterRootfs(ChildProgram* p, int root)
    {
        if (p->NoPivot != 0)
        {
            MoveRoot(p, root);
            return;
        }

        int oldRoot = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Slash, Interop.O_DIRECTORY | Interop.O_RDONLY | Interop.O_CLOEXEC), ChildStep.OpenRoot, 1);
        Check(p, Sys(p, p->Nr.Fchdir, root), ChildStep.PivotRoot, 0);
        Check(p, Sys(p, p->Nr.PivotRoot, (long)p->Dot, (long)p->Dot), ChildStep.PivotRoot, 1);

        // After pivot_root(".", ".") the old root is stacked on "."; detach it without letting
        // the unmount propagate back to the host.
        Check(p, Sys(p, p->Nr.Fchdir, oldRoot), ChildStep.UnmountOldRoot, 0);
        Check(p, Sys(p, p->Nr.Mount, 0, (long)p->Dot, 0, (long)(Interop.MS_SLAVE | Interop.MS_REC), 0), ChildStep.UnmountOldRoot, 1);
        Check(p, Sys(p, p->Nr.Umount2, (long)p->Dot, Interop.MNT_DETACH), ChildStep.UnmountOldRoot, 2);
        Check(p, Sys(p, p->Nr.Chdir, (long)p->Slash), ChildStep.UnmountOldRoot, 3);
        Sys(p, p->Nr.Close, oldRoot);
        Sys(p, p->Nr.Close, root);
    }

    private static void MountOne(ChildProgram* p, int root, ChildMount* m, int index)
    {
        int target = (int)Check(p, EnsurePath(p, root, m->Target, m->TargetIsFile, m->Resolve), ChildStep.MountTarget, index);
        byte* targetPath = FdPath(p, p->Scratch1, target);
        if (m->Kind == 2)
        {
            // An existing name is left alone, as runc does for the co-mounted hierarchies' links.
            if (Sys(p, p->Nr.SymlinkAt, (long)m->Source, target, (long)m->Data) < 0 && Errno(p) != Interop.EEXIST)
            {
                Fail(p, ChildStep.Mount, index);
            }

            Sys(p, p->Nr.Close, target);
            return;
        }

        if (m->Kind == 1)
        {
            // A remount only changes attributes of what is already there (below).
        }
        else if (m->Kind == 3)
        {
            Check(p, Sys(p, p->Nr.MoveMount, m->MountFd, (long)p->Empty, target, (long)p->Empty, Interop.MOVE_MOUNT_F_EMPTY_PATH | Interop.MOVE_MOUNT_T_EMPTY_PATH), ChildStep.Mount, index);
            Sys(p, p->Nr.Close, m->MountFd);
        }
        else if (m->IsBind != 0)
        {
            Check(p, Sys(p, p->Nr.Mount, (long)m->Source, (long)targetPath, 0, (long)m->Flags, 0), ChildStep.Mount, index);
        }
        else
        {
            Check(p, Sys(p, p->Nr.Mount, (long)m->Source, (long)targetPath, (long)m->FsType, (long)m->Flags, (long)m->Data), ChildStep.Mount, index);
        }

        Sys(p, p->Nr.Close, target);
        if (m->AttrSet == 0 && m->AttrClr == 0 && m->Propagation == 0 && m->RecAttrSet == 0 && m->RecAttrClr == 0)
        {
            return;
        }

        // The Interop.O_PATH fd still names the covered directory; reopen to reach the new mount.
        target = (int)Check(p, EnsurePath(p, root, m->Target, m->TargetIsFile, m->Resolve), ChildStep.MountTarget, index);
        if (m->AttrSet != 0 || m->AttrClr != 0)
        {
            SetAttributes(p, target, m->AttrSet, m->AttrClr, m->IsRecursive != 0 ? Interop.AT_RECURSIVE : 0, ChildStep.MountAttributes, index);
        }

        if (m->Propagation != 0)
        {
            targetPath = FdPath(p, p->Scratch1, target);
            Check(p, Sys(p, p->Nr.Mount, 0, (long)targetPath, 0, (long)m->Propagation, 0), ChildStep.MountPropagation, index);
        }

        if (m->RecAttrSet != 0 || m->RecAttrClr != 0)
        {
            // Last, as runc 1.1 does: the recursive attributes (rro…) cover the mount and every submount an rbind brought.
            SetAttributes(p, target, m->RecAttrSet, m->RecAttrClr, Interop.AT_RECURSIVE, ChildStep.MountRecursiveAttributes, index);
        }

        Sys(p, p->Nr.Close, target);
    }

    private static void CreateDevices(ChildProgram* p, int root)
    {
        // mknod modes are exact, as runc makes them; the process umask is set later.
        long oldUmask = Sys(p, p->Nr.Umask, 0);
        for (long i = 0; i < p->DeviceCount; i++)
        {
            ChildDevice* d = p->Devices + i;
            int dir = (int)Check(p, EnsurePath(p, root, d->Directory, 0, Interop.RESOLVE_NO_SYMLINKS), ChildStep.Device, (int)i);
            if (d->HostPath != null)
            {
                // mknod is not allowed in a user namespace: bind the host's node onto an empty file.
                long made = Sys(p, p->Nr.OpenAt, dir, (long)d->Name, Interop.O_CREAT | Interop.O_WRONLY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
                if (made < 0)
                {
                    Fail(p, ChildStep.Device, (int)i);
                }

                Sys(p, p->Nr.Close, made);
                Interop.OpenHow how;
                how.Flags = Interop.O_PATH | Interop.O_CLOEXEC;
                how.Mode = 0;
                how.Resolve = Interop.RESOLVE_NO_SYMLINKS | Interop.RESOLVE_BENEATH;
                int node = (int)Check(p, Sys(p, p->Nr.OpenAt2, dir, (long)d->Name, (long)&how, sizeof(Interop.OpenHow)), ChildStep.Device, (int)i);
                Check(p, Sys(p, p->Nr.Mount, (long)d->HostPath, (long)FdPath(p, p->Scratch1, node), 0, (long)Interop.MS_BIND, 0), ChildStep.Device, (int)i);
                Sys(p, p->Nr.Close, node);
                Sys(p, p->Nr.Close, dir);
                continue;
            }

            if (Sys(p, p->Nr.MknodAt, dir, (long)d->Name, d->Mode, d->Device) < 0)
            {
                if (Errno(p) != Interop.EEXIST)
                {
                    Fail(p, ChildStep.Device, (int)i);
                }
            }
            else
            {
                Check(p, Sys(p, p->Nr.FchownAt, dir, (long)d->Name, d->Uid, d->Gid, Interop.AT_SYMLINK_NOFOLLOW), ChildStep.Device, (int)i);
            }

            Sys(p, p->Nr.Close, dir);
        }

        if (p->DevSymlinkCount > 0)
        {
            int dev = (int)Check(p, EnsurePath(p, root, p->DevDirectory, 0, Interop.RESOLVE_NO_SYMLINKS), ChildStep.DeviceSymlink, -1);
            for (long i = 0; i < p->DevSymlinkCount; i++)
            {
                ChildSymlink* link = p->DevSymlinks + i;
                if (link->Replace != 0 && Sys(p, p->Nr.UnlinkAt, dev, (long)link->Name, 0) < 0 && Errno(p) != Interop.ENOENT)
                {
                    Fail(p, ChildStep.DeviceSymlink, (int)i);
                }

                if (Sys(p, p->Nr.SymlinkAt, (long)link->Target, dev, (long)link->Name) < 0 && Errno(p) != Interop.EEXIST)
                {
                    Fail(p, ChildStep.DeviceSymlink, (int)i);
                }
            }

            Sys(p, p->Nr.Close, dev);
        }

        Sys(p, p->Nr.Umask, oldUmask);
    }

    private static void FinalizeRootfs(ChildProgram* p)
    {
        // Sysctls go in before /proc/sys turns read-only.
        for (long i = 0; i < p->SysctlCount; i++)
        {
            int fd = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->SysctlPaths[i], Interop.O_WRONLY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC), ChildStep.Sysctl, (int)i);
            Check(p, Sys(p, p->Nr.Write, fd, (long)p->SysctlValues[i], Length(p->SysctlValues[i])), ChildStep.Sysctl, (int)i);
            Sys(p, p->Nr.Close, fd);
        }

        // runc's order: read-only paths first, then masks.
        for (long i = 0; i < p->ReadonlyPathCount; i++)
        {
            long target = OpenInContainer(p, p->ReadonlyPaths[i]);
            if (target < 0)
            {
                if (Errno(p) == Interop.ENOENT)
                {
                    continue;
                }

                Fail(p, ChildStep.ReadonlyPath, (int)i);
            }

            byte* targetPath = FdPath(p, p->Scratch1, (int)target);
            Check(p, Sys(p, p->Nr.Mount, (long)targetPath, (long)targetPath, 0, (long)(Interop.MS_BIND | Interop.MS_REC), 0), ChildStep.ReadonlyPath, (int)i);
            Sys(p, p->Nr.Close, target);
            target = Check(p, OpenInContainer(p, p->ReadonlyPaths[i]), ChildStep.ReadonlyPath, (int)i);
            SetReadonly(p, (int)target, Interop.AT_RECURSIVE, ChildStep.ReadonlyPath, (int)i);
            Sys(p, p->Nr.Close, target);
        }

        if (p->MaskedPathCount > 0)
        {
            // Masking binds the container's /dev/null: it must really be the null device, checked
            // on an O_PATH|O_NOFOLLOW fd that is then the mount source.
            int devNull = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->DevNull, Interop.O_PATH | Interop.O_NOFOLLOW | Interop.O_CLOEXEC), ChildStep.CheckDevNull, 0);
            byte* stx = p->Scratch2;
            Check(p, Sys(p, p->Nr.Statx, devNull, (long)p->Empty, Interop.AT_EMPTY_PATH, STATX_TYPE | STATX_MODE, (long)stx), ChildStep.CheckDevNull, 1);
            ushort mode = *(ushort*)(stx + 28);
            uint major = *(uint*)(stx + 128);
            uint minor = *(uint*)(stx + 132);
            if ((mode & S_IFMT) != S_IFCHR || major != 1 || minor != 3)
            {
                Report(p, ChildStep.CheckDevNull, Interop.EPERM, 2);
            }

            for (long i = 0; i < p->MaskedPathCount; i++)
            {
                long target = OpenInContainer(p, p->MaskedPaths[i]);
                if (target < 0)
                {
                    if (Errno(p) == Interop.ENOENT)
                    {
                        continue;
                    }

                    Fail(p, ChildStep.MaskPath, (int)i);
                }

                Check(p, Sys(p, p->Nr.Statx, target, (long)p->Empty, Interop.AT_EMPTY_PATH, STATX_TYPE | STATX_MODE, (long)stx), ChildStep.MaskPath, (int)i);
                byte* targetPath = FdPath(p, p->Scratch1, (int)target);
                if ((*(ushort*)(stx + 28) & S_IFMT) == S_IFDIR)
                {
                    Check(p, Sys(p, p->Nr.Mount, (long)p->Tmpfs, (long)targetPath, (long)p->Tmpfs, (long)Interop.MS_RDONLY, 0), ChildStep.MaskPath, (int)i);
                }
                else
                {
                    byte* sourcePath = FdPath(p, p->Scratch2, devNull);
                    Check(p, Sys(p, p->Nr.Mount, (long)sourcePath, (long)targetPath, 0, (long)Interop.MS_BIND, 0), ChildStep.MaskPath, (int)i);
                }

                Sys(p, p->Nr.Close, target);
            }

            Sys(p, p->Nr.Close, devNull);
        }

        if (p->RootReadonly != 0)
        {
            int root = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Slash, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC), ChildStep.RootReadonly, 0);
            SetReadonly(p, root, 0, ChildStep.RootReadonly, 1);
            Sys(p, p->Nr.Close, root);
        }
    }

    /// <summary>Only the read-only bit: mount_setattr keeps nosuid/nodev/noexec as they were.</summary>
    private static void SetReadonly(ChildProgram* p, int fd, long extraFlags, ChildStep step, int index)
        => SetAttributes(p, fd, Interop.MOUNT_ATTR_RDONLY, 0, extraFlags, step, index);

    /// <summary>mount_setattr(2) on the mount <paramref name="fd"/> names (AT_EMPTY_PATH, plus AT_RECURSIVE when asked).</summary>
    private static void SetAttributes(ChildProgram* p, int fd, ulong set, ulong clear, long extraFlags, ChildStep step, int index)
    {
        Interop.MountAttr attr;
        attr.AttrSet = set;
        attr.AttrClr = clear;
        attr.Propagation = 0;
        attr.UsernsFd = 0;
        Check(p, Sys(p, p->Nr.MountSetattr, fd, (long)p->Empty, Interop.AT_EMPTY_PATH | extraFlags, (long)&attr, sizeof(Interop.MountAttr)), step, index);
    }

    private static void SetUpUserAndCapabilities(ChildProgram* p)
    {
        for (long cap = 0; cap <= p->LastCapability; cap++)
        {
            if ((p->CapBounding & (1UL << (int)cap)) == 0
                && Sys(p, p->Nr.Prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && Errno(p) != Interop.EINVAL)
            {
                Fail(p, ChildStep.CapabilityBounding, (int)cap);
            }
        }

        Check(p, Sys(p, p->Nr.Prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0), ChildStep.KeepCapabilities, 0);

        // Raw syscalls: glibc's setgroups/setresuid wrappers broadcast to threads this copy does not have.
        Check(p, Sys(p, p->Nr.SetGroups, p->GroupCount, (long)p->Groups), ChildStep.SetGroups, 0);
        Check(p, Sys(p, p->Nr.SetResGid, p->Gid, p->Gid, p->Gid), ChildStep.SetGid, 0);
        Check(p, Sys(p, p->Nr.SetResUid, p->Uid, p->Uid, p->Uid), ChildStep.SetUid, 0);

        // The cwd is entered as the container user, then checked to be inside the root: a leaked
        // host directory fd as cwd shows up as a path that does not start with '/'.
        Check(p, Sys(p, p->Nr.Chdir, (long)p->Cwd), ChildStep.Chdir, 0);
        long length = Sys(p, p->Nr.Getcwd, (long)p->Scratch1, ChildProgram.ScratchSize);
        if (length < 0)
        {
            Fail(p, ChildStep.CwdOutsideRoot, 0);
        }

        if (length < 2 || p->Scratch1[0] != (byte)'/')
        {
            Report(p, ChildStep.CwdOutsideRoot, Interop.ENOENT, 1);
        }

        Check(p, Sys(p, p->Nr.Prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0), ChildStep.KeepCapabilities, 1);

        uint* header = stackalloc uint[2];
        header[0] = LINUX_CAPABILITY_VERSION_3;
        header[1] = 0;
        uint* data = stackalloc uint[6];
        data[0] = (uint)p->CapEffective;
        data[1] = (uint)p->CapPermitted;
        data[2] = (uint)p->CapInheritable;
        data[3] = (uint)(p->CapEffective >> 32);
        data[4] = (uint)(p->CapPermitted >> 32);
        data[5] = (uint)(p->CapInheritable >> 32);
        Check(p, Sys(p, p->Nr.Capset, (long)header, (long)data), ChildStep.Capset, 0);

        Check(p, Sys(p, p->Nr.Prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), ChildStep.AmbientCapabilities, -1);
        for (long cap = 0; cap <= p->LastCapability; cap++)
        {
            if ((p->CapAmbient & (1UL << (int)cap)) != 0)
            {
                Check(p, Sys(p, p->Nr.Prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), ChildStep.AmbientCapabilities, (int)cap);
            }
        }
    }

    private static void AwaitStart(ChildProgram* p, int execFifo)
    {
        ChildStatus ready;
        ready.Step = (int)ChildStep.Ready;
        ready.Errno = 0;
        ready.Index = 0;
        ready.Reserved = 0;
        Sys(p, p->Nr.Write, p->StatusFd, (long)&ready, sizeof(ChildStatus));

        // Opening the fifo for writing blocks until `start` opens it for reading.
        byte* path = FdPath(p, p->Scratch1, execFifo);
        int fifo = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)path, Interop.O_WRONLY | Interop.O_CLOEXEC), ChildStep.AwaitStart, 0);
        byte zero = (byte)'0';
        Check(p, Sys(p, p->Nr.Write, fifo, (long)&zero, 1), ChildStep.AwaitStart, 1);
        Sys(p, p->Nr.Close, fifo);
        Sys(p, p->Nr.Close, execFifo);
    }

    [DoesNotReturn]
    private static void Exec(ChildProgram* p)
    {
        byte* file = p->ExecPath != null ? p->ExecPath : p->Argv[0];
        if (Contains(file, (byte)'/') || p->SearchPath == null)
        {
            Sys(p, p->Nr.Execve, (long)file, (long)p->Argv, (long)p->Envp);
            Fail(p, ChildStep.Execve, 0);
        }

        // execvp semantics over the container's PATH: skip entries where the file is missing,
        // remember Interop.EACCES so "found but not executable" wins over "not found".
        int lastError = Interop.ENOENT;
        byte* entry = p->SearchPath;
        while (true)
        {
            byte* end = entry;
            while (*end != 0 && *end != (byte)':')
            {
                end++;
            }

            byte* candidate = p->Scratch1;
            long length = end - entry;
            if (length == 0)
            {
                candidate[0] = (byte)'.';
                length = 1;
            }
            else if (length < ChildProgram.ScratchSize - 256)
            {
                Copy(candidate, entry, length);
            }
            else
            {
                length = -1;
            }

            if (length > 0 && length + Length(file) + 2 < ChildProgram.ScratchSize)
            {
                candidate[length] = (byte)'/';
                Copy(candidate + length + 1, file, Length(file) + 1);
                Sys(p, p->Nr.Execve, (long)candidate, (long)p->Argv, (long)p->Envp);
                int error = Errno(p);
                if (error == Interop.EACCES)
                {
                    lastError = Interop.EACCES;
                }
                else if (error != Interop.ENOENT && error != Interop.ENOTDIR)
                {
                    Report(p, ChildStep.Execve, error, 1);
                }
            }

            if (*end == 0)
            {
                break;
            }

            entry = end + 1;
        }

        Report(p, ChildStep.Execve, lastError, 2);
    }

    /// <summary>
    /// runc's init creates a missing cwd (MkdirAll, 0755) after entering the root and before the user switch;
    /// inside the new root, one level at a time, never following a symlink out of it.
    /// </summary>
    private static void CreateCwd(ChildProgram* p)
    {
        byte* cwd = p->Cwd;
        while (*cwd == (byte)'/')
        {
            cwd++;
        }

        if (*cwd == 0)
        {
            return;
        }

        int slash = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Slash, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC), ChildStep.CreateCwd, 0);
        int fd = (int)Check(p, EnsurePath(p, slash, cwd, 0, 0), ChildStep.CreateCwd, 1);
        Sys(p, p->Nr.Close, fd);
        Sys(p, p->Nr.Close, slash);
    }

    /// <summary>
    /// exec.LookPath as runc's init runs it (Go 1.19), as the container user in its cwd: a name with a slash must
    /// be an executable file; otherwise the first PATH entry holding one wins. The result is what Exec runs.
    /// </summary>
    private static void ResolveExecutable(ChildProgram* p)
    {
        byte* file = p->ExecPath != null ? p->ExecPath : p->Argv[0];
        byte* stx = p->Scratch1;
        if (Contains(file, (byte)'/') || p->SearchPath == null)
        {
            Check(p, Sys(p, p->Nr.Statx, Interop.AT_FDCWD, (long)file, 0, STATX_TYPE | STATX_MODE, (long)stx), ChildStep.ExecLookup, 1);
            if (!IsExecutableFile(stx))
            {
                Report(p, ChildStep.ExecLookup, Interop.EACCES, 2);
            }

            return;
        }

        long fileLength = Length(file);
        byte* entry = p->SearchPath;
        while (true)
        {
            byte* end = entry;
            while (*end != 0 && *end != (byte)':')
            {
                end++;
            }

            // Go's LookPath takes an empty entry as ".", as execvp does.
            byte* candidate = p->Scratch2;
            long length = end - entry;
            if (length == 0)
            {
                candidate[0] = (byte)'.';
                length = 1;
            }
            else if (length + fileLength + 2 < ChildProgram.ScratchSize)
            {
                Copy(candidate, entry, length);
            }
            else
            {
                length = -1;
            }

            if (length > 0 && length + fileLength + 2 < ChildProgram.ScratchSize)
            {
                candidate[length] = (byte)'/';
                Copy(candidate + length + 1, file, fileLength + 1);
                if (Sys(p, p->Nr.Statx, Interop.AT_FDCWD, (long)candidate, 0, STATX_TYPE | STATX_MODE, (long)stx) == 0 && IsExecutableFile(stx))
                {
                    p->ExecPath = candidate;
                    return;
                }
            }

            if (*end == 0)
            {
                break;
            }

            entry = end + 1;
        }

        Report(p, ChildStep.ExecLookup, Interop.ENOENT, 0);
    }

    /// <summary>Go's findExecutable: not a directory, and some execute bit set.</summary>
    private static bool IsExecutableFile(byte* stx)
    {
        ushort mode = *(ushort*)(stx + 28);
        return (mode & S_IFMT) != S_IFDIR && (mode & 0x49) != 0;
    }

    /// <summary>
    /// Opens <paramref name="path"/> (relative to the rootfs) as Interop.O_PATH, resolving it with the
    /// rootfs as "/" (RESOLVE_IN_ROOT, no magic links), creating missing directories — and the
    /// last component as an empty file when <paramref name="isFile"/> — one level at a time.
    /// Returns the fd, or -1 with errno set.
    /// </summary>
    private static long EnsurePath(ChildProgram* p, int root, byte* path, int isFile, ulong extraResolve)
    {
        Interop.OpenHow how;
        how.Flags = Interop.O_PATH | Interop.O_CLOEXEC;
        how.Mode = 0;
        how.Resolve = Interop.RESOLVE_IN_ROOT | Interop.RESOLVE_NO_MAGICLINKS | extraResolve;
        long fd = Sys(p, p->Nr.OpenAt2, root, (long)path, (long)&how, sizeof(Interop.OpenHow));
        if (fd >= 0 || Errno(p) != Interop.ENOENT)
        {
            return fd;
        }

        long parent = Sys(p, p->Nr.OpenAt, root, (long)p->Dot, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC);
        if (parent < 0)
        {
            return parent;
        }

        byte* component = path;
        while (true)
        {
            byte* end = component;
            while (*end != 0 && *end != (byte)'/')
            {
                end++;
            }

            bool last = *end == 0;
            byte saved = *end;
            *end = 0;
            bool asFile = last && isFile != 0;
            fd = Sys(p, p->Nr.OpenAt2, root, (long)path, (long)&how, sizeof(Interop.OpenHow));
            if (fd < 0 && Errno(p) == Interop.ENOENT)
            {
                long made;
                if (asFile)
                {
                    made = Sys(p, p->Nr.OpenAt, parent, (long)component, Interop.O_CREAT | Interop.O_EXCL | Interop.O_WRONLY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0x1A4);
                    if (made >= 0)
                    {
                        Sys(p, p->Nr.Close, made);
                    }
                }
                else
                {
                    made = Sys(p, p->Nr.MkdirAt, parent, (long)component, 0x1ED);
                }

                if (made < 0 && Errno(p) != Interop.EEXIST)
                {
                    *end = saved;
                    int error = Errno(p);
                    Sys(p, p->Nr.Close, parent);
                    *p->ErrnoLocation() = error;
                    return -1;
                }

                fd = Sys(p, p->Nr.OpenAt2, root, (long)path, (long)&how, sizeof(Interop.OpenHow));
            }

            *end = saved;
            int openError = Errno(p);
            Sys(p, p->Nr.Close, parent);
            if (fd < 0)
            {
                *p->ErrnoLocation() = openError;
                return fd;
            }

            if (last)
            {
                return fd;
            }

            parent = fd;
            component = end + 1;
        }
    }

    /// <summary>Opens an absolute container path (after the pivot) as Interop.O_PATH without magic links.</summary>
    private static long OpenInContainer(ChildProgram* p, byte* path)
    {
        Interop.OpenHow how;
        how.Flags = Interop.O_PATH | Interop.O_CLOEXEC;
        how.Mode = 0;
        how.Resolve = Interop.RESOLVE_NO_MAGICLINKS;
        return Sys(p, p->Nr.OpenAt2, Interop.AT_FDCWD, (long)path, (long)&how, sizeof(Interop.OpenHow));
    }

    /// <summary>Writes <c>/proc/self/fd/&lt;fd&gt;</c> into <paramref name="buffer"/>.</summary>
    private static byte* FdPath(ChildProgram* p, byte* buffer, int fd)
    {
        long prefix = Length(p->ProcSelfFd);
        Copy(buffer, p->ProcSelfFd, prefix);
        byte* digits = stackalloc byte[12];
        int count = 0;
        uint value = (uint)fd;
        do
        {
            digits[count++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value != 0);
        for (int i = 0; i < count; i++)
        {
            buffer[prefix + i] = digits[count - 1 - i];
        }

        buffer[prefix + count] = 0;
        return buffer;
    }

    private static long Length(byte* s)
    {
        long n = 0;
        while (s[n] != 0)
        {
            n++;
        }

        return n;
    }

    private static bool Contains(byte* s, byte c)
    {
        for (; *s != 0; s++)
        {
            if (*s == c)
            {
                return true;
            }
        }

        return false;
    }

    private static void Copy(byte* destination, byte* source, long count)
    {
        for (long i = 0; i < count; i++)
        {
            destination[i] = source[i];
        }
    }

    private static long Sys(ChildProgram* p, long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
        => p->Syscall(nr, a1, a2, a3, a4, a5, a6);

    private static int Errno(ChildProgram* p) => *p->ErrnoLocation();

    /// <summary>Returns <paramref name="result"/>, or reports the step with errno and exits when it is negative.</summary>
    private static long Check(ChildProgram* p, long result, ChildStep step, int index)
    {
        if (result < 0)
        {
            Fail(p, step, index);
        }

        return result;
    }

    [DoesNotReturn]
    private static void Fail(ChildProgram* p, ChildStep step, int index) => Report(p, step, Errno(p), index);

    [DoesNotReturn]
    private static void Report(ChildProgram* p, ChildStep step, int errno, int index)
    {
        ChildStatus status;
        status.Step = (int)step;
        status.Errno = errno;
        status.Index = index;
        status.Reserved = 0;
        Sys(p, p->Nr.Write, p->StatusFd, (long)&status, sizeof(ChildStatus));
        Exit(p, 1);
    }

    [DoesNotReturn]
    private static void Exit(ChildProgram* p, int code)
    {
        while (true)
        {
            Sys(p, p->Nr.ExitGroup, code);
        }
    }
}
