using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// A process that only holds a new user namespace: the spawner writes its maps and opens its namespace file for
/// an id-mapped mount (mount_setattr's MOUNT_ATTR_IDMAP takes a user namespace fd), then ends it. The spawner has
/// more than one thread, so it cannot unshare(CLONE_NEWUSER) itself; clone3 with CLONE_NEWUSER can. The child
/// path is the same allocation-free code as the container's.
/// </summary>
internal static unsafe partial class ChildProcess
{
    /// <summary>
    /// clone3 with <paramref name="args"/> (CLONE_NEWUSER); the child blocks reading <paramref name="waitFd"/> and
    /// exits at its end of file or error. Returns the child's pid in the parent, or -1 with errno in <paramref name="errno"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static long CloneUserNamespaceHolder(ChildProgram* program, Interop.CloneArgs* args, int waitFd, int* errno)
    {
        long pid = program->Syscall(program->Nr.Clone3, (long)args, sizeof(Interop.CloneArgs), 0, 0, 0, 0);
        if (pid == 0)
        {
            HoldUntilClosed(program, waitFd);
        }

        *errno = pid < 0 ? *program->ErrnoLocation() : 0;
        return pid;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void HoldUntilClosed(ChildProgram* p, int waitFd)
    {
        byte ignored = 0;
        while (Sys(p, p->Nr.Read, waitFd, (long)&ignored, 1) < 0 && Errno(p) == Interop.EINTR)
        {
        }

        Exit(p, 0);
    }
}
