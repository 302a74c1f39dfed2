namespace Containers.Oci.Runtime;

/// <content>Rules for <c>linux.seccomp</c>.</content>
public static partial class SpecValidator
{
    // seccomp_data carries six syscall arguments.
    private const uint MaxSyscallArgIndex = 5;

    private static void ValidateSeccomp(LinuxSeccomp seccomp)
    {
        const string Path = "linux.seccomp";
        ValidateKnown(seccomp.DefaultAction, Path + ".defaultAction", SeccompAction.IsKnown, "seccomp action");
        if (seccomp.DefaultAction == SeccompAction.Notify)
        {
            Fail(Path + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
        }

        ValidateErrnoRet(seccomp.DefaultErrnoRet, seccomp.DefaultAction, Path + ".defaultErrnoRet");
        ValidateKnownList(seccomp.Architectures, Path + ".architectures", SeccompArchitecture.IsKnown, "seccomp architecture");
        ValidateKnownList(seccomp.Flags, Path + ".flags", SeccompFilterFlag.IsKnown, "seccomp flag");
        if (seccomp.Syscalls is null)
        {
            return;
        }

        for (int i = 0; i < seccomp.Syscalls.Count; i++)
        {
            string path = Index(Path + ".syscalls", i);
            LinuxSyscall syscall = NotNull(seccomp.Syscalls[i], path);
            if (syscall.Names is null || syscall.Names.Count == 0)
            {
                Fail(path + ".names", "must name at least one syscall");
            }

            for (int n = 0; n < syscall.Names.Count; n++)
            {
                if (string.IsNullOrEmpty(syscall.Names[n]))
                {
                    Fail(Index(path + ".names", n), "syscall name must not be empty");
                }
            }

            ValidateKnown(syscall.Action, path + ".action", SeccompAction.IsKnown, "seccomp action");
            if (syscall.Action == SeccompAction.Notify && string.IsNullOrEmpty(seccomp.ListenerPath))
            {
                Fail(Path + ".listenerPath", $"required because {path}.action is SCMP_ACT_NOTIFY");
            }

            ValidateErrnoRet(syscall.ErrnoRet, syscall.Action, path + ".errnoRet");
            ValidateSyscallArgs(syscall.Args, path + ".args");
        }
    }

    private static void ValidateSyscallArgs(IList<LinuxSeccompArg>? args, string listPath)
    {
        if (args is null)
        {
            return;
        }

        for (int i = 0; i < args.Count; i++)
        {
            string path = Index(listPath, i);
            LinuxSeccompArg arg = NotNull(args[i], path);
            if (arg.Index > MaxSyscallArgIndex)
            {
                Fail(path + ".index", $"argument index {arg.Index} is greater than {MaxSyscallArgIndex}");
            }

            ValidateKnown(arg.Op, path + ".op", SeccompOperator.IsKnown, "seccomp operator");
        }
    }

    private static void ValidateErrnoRet(uint? errnoRet, string action, string path)
    {
        if (errnoRet is not null && action is not (SeccompAction.Errno or SeccompAction.Trace))
        {
            Fail(path, $"errnoRet is only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {Quote(action)}");
        }
    }
}
