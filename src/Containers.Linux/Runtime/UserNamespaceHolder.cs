using System.Globalization;
using System.Runtime.InteropServices;
using Containers.Diff;

namespace Containers.Linux.Runtime;

/// <summary>
/// A process that only holds a new user namespace with given maps, for id-mapped mounts
/// (mount_setattr's MOUNT_ATTR_IDMAP takes a user namespace fd): the spawner has more than one thread, so it
/// cannot unshare(CLONE_NEWUSER) itself, and the host application may not clone at all (DESIGN §2). The holder
/// is the allocation-free child of <see cref="ChildProcess.CloneUserNamespaceHolder"/>; it lives until its wait
/// descriptor reaches end of file, or until it is killed.
/// </summary>
internal static unsafe class UserNamespaceHolder
{
    /// <summary>
    /// Clones a holder in a new user namespace with <paramref name="program"/>'s syscall table, writes its maps and
    /// returns its pid (the caller reaps it). The holder exits when <paramref name="waitFd"/> (which it shares)
    /// reaches end of file or fails.
    /// </summary>
    /// <exception cref="LinuxErrorException">The clone failed, naming <paramref name="context"/>.</exception>
    /// <exception cref="IOException">A map could not be written (the holder is then killed and reaped).</exception>
    public static int Start(ChildProgram* program, IReadOnlyList<IdMapping> uids, IReadOnlyList<IdMapping> gids, int waitFd, string context)
    {
        Interop.CloneArgs args = default;
        args.Flags = Interop.CLONE_NEWUSER;
        args.ExitSignal = Interop.SIGCHLD;
        int errno;
        int pid = (int)ChildProcess.CloneUserNamespaceHolder(program, &args, waitFd, &errno);
        if (pid < 0)
        {
            throw new LinuxErrorException("clone3(CLONE_NEWUSER)", errno, context);
        }

        try
        {
            string proc = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/";
            File.WriteAllText(proc + "uid_map", ContainerSpawner.MapText(uids));
            File.WriteAllText(proc + "gid_map", ContainerSpawner.MapText(gids));
            return pid;
        }
        catch
        {
            Kill(pid);
            throw;
        }
    }

    /// <summary><see cref="Start(ChildProgram*, IReadOnlyList{IdMapping}, IReadOnlyList{IdMapping}, int, string)"/> without a container's program: only the syscall table is laid out.</summary>
    public static int Start(IReadOnlyList<IdMapping> uids, IReadOnlyList<IdMapping> gids, int waitFd)
    {
        using NativeArena arena = new();
        ChildProgram* program = arena.Allocate<ChildProgram>(1);
        ChildProgramBuilder.SetSyscalls(program);
        return Start(program, uids, gids, waitFd, "user namespace holder");
    }

    /// <summary>Ends and reaps a holder that has not been reaped (so the pid is still its own).</summary>
    public static void Kill(int pid)
    {
        Interop.Kill(pid, Interop.SIGKILL);
        Interop.WaitForChild(pid);
    }

    /// <summary>Mappings from containerd's text form (<see cref="IdMapRangeText"/>).</summary>
    /// <exception cref="InvalidSpecException">The text is malformed; <paramref name="field"/> names it.</exception>
    public static List<IdMapping> ParseMappings(string text, string field)
        => [.. IdMapRangeText.Parse(text, field).Select(r => new IdMapping(r.ContainerId, r.HostId, r.Size))];
}
