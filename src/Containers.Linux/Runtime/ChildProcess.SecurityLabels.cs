namespace Containers.Linux.Runtime;

/// <summary>The process's LSM exec labels and its redirected output (hooks). Allocation-free, as the rest of the child.</summary>
internal static unsafe partial class ChildProcess
{
    /// <summary>
    /// Writes each label to its /proc/thread-self/attr file: the kernel applies it at the next execve. On a kernel
    /// without the LSM the write fails (EINVAL), which is runc's error too.
    /// </summary>
    private static void WriteSecurityLabels(ChildProgram* p)
    {
        for (long i = 0; i < p->SecurityLabelCount; i++)
        {
            int fd = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->SecurityLabelPaths[i], Interop.O_WRONLY | Interop.O_CLOEXEC), ChildStep.SecurityLabel, (int)i);
            Check(p, Sys(p, p->Nr.Write, fd, (long)p->SecurityLabelValues[i], Length(p->SecurityLabelValues[i])), ChildStep.SecurityLabel, (int)i);
            Sys(p, p->Nr.Close, fd);
        }
    }

    /// <summary>Makes the given descriptors stdout and stderr (a hook's output the runtime captures).</summary>
    private static void RedirectOutput(ChildProgram* p)
    {
        if (p->StdoutFd >= 0)
        {
            Check(p, Sys(p, p->Nr.Dup3, p->StdoutFd, 1, 0), ChildStep.Stdin, 1);
        }

        if (p->StderrFd >= 0)
        {
            Check(p, Sys(p, p->Nr.Dup3, p->StderrFd, 2, 0), ChildStep.Stdin, 2);
        }
    }
}
