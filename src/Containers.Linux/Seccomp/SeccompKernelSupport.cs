using System.Runtime.InteropServices;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Asks the running kernel which seccomp(2) filter flags it knows, without installing anything: the kernel
/// validates the flags before it reads the program, so a NULL program gives EFAULT for known flags and EINVAL
/// for unknown ones (libseccomp probes the same way).
/// </summary>
public static class SeccompKernelSupport
{
    private const int Efault = 14;
    private const int Enosys = 38;

    /// <summary>Whether the kernel accepts <paramref name="flags"/> together on seccomp(SECCOMP_SET_MODE_FILTER).</summary>
    /// <exception cref="UnsupportedException">The kernel has no seccomp(2) at all.</exception>
    public static bool Accepts(SeccompFilterFlags flags)
    {
        if (Interop.Seccomp.ProbeFilterFlags((uint)flags) >= 0)
        {
            // Unreachable with a NULL program; treat as accepted rather than guess.
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Efault => true,
            Enosys => throw new UnsupportedException("seccomp: this kernel has no seccomp(2) system call"),
            _ => false,
        };
    }

    /// <summary>
    /// Throws when the kernel refuses one of <paramref name="program"/>'s flags, naming the flag: the child would
    /// otherwise fail with a bare EINVAL after the container was half set up.
    /// </summary>
    /// <exception cref="UnsupportedException">The kernel lacks a flag the profile asks for (or seccomp itself).</exception>
    public static void EnsureSupported(SeccompProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (Accepts(program.Flags))
        {
            return;
        }

        // Find the culprit; WAIT_KILLABLE_RECV and TSYNC_ESRCH are only valid next to NEW_LISTENER.
        SeccompFilterFlags listener = program.Flags & SeccompFilterFlags.NewListener;
        for (int bit = 0; bit < 32; bit++)
        {
            SeccompFilterFlags flag = (SeccompFilterFlags)(1u << bit);
            if ((program.Flags & flag) == 0)
            {
                continue;
            }

            SeccompFilterFlags probe = flag is SeccompFilterFlags.WaitKillableRecv or SeccompFilterFlags.TsyncEsrch ? flag | listener : flag;
            if (!Accepts(probe))
            {
                throw new UnsupportedException($"linux.seccomp.flags: this kernel does not support {KernelName(flag)}");
            }
        }

        throw new UnsupportedException($"linux.seccomp.flags: this kernel refuses the combination {program.Flags}");
    }

    private static string KernelName(SeccompFilterFlags flag) => flag switch
    {
        SeccompFilterFlags.Tsync => "SECCOMP_FILTER_FLAG_TSYNC",
        SeccompFilterFlags.Log => "SECCOMP_FILTER_FLAG_LOG",
        SeccompFilterFlags.SpecAllow => "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        SeccompFilterFlags.NewListener => "SECCOMP_FILTER_FLAG_NEW_LISTENER (needed by SCMP_ACT_NOTIFY)",
        SeccompFilterFlags.TsyncEsrch => "SECCOMP_FILTER_FLAG_TSYNC_ESRCH (needed by TSYNC with SCMP_ACT_NOTIFY)",
        SeccompFilterFlags.WaitKillableRecv => "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        _ => $"the seccomp filter flag 0x{(uint)flag:x}",
    };
}
