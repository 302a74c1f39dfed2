using System.Globalization;
using Containers.Oci.Runtime;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Validates an OCI <c>linux.seccomp</c> object and turns it into a <see cref="SeccompProfile"/>.
/// Errors name the offending field, e.g. <c>linux.seccomp.syscalls[3].action</c>.
/// </summary>
internal static class SeccompProfileMapper
{
    private const string Root = "linux.seccomp";

    // runc and crun use EPERM when a profile gives SCMP_ACT_ERRNO (or TRACE) without errnoRet.
    private const uint Eperm = 1;

    // The errno travels in the low 16 bits of the filter's return value.
    private const uint MaxData = 0xffff;

    private const int MaxArgIndex = 5;

    internal static SeccompProfile Map(LinuxSeccomp seccomp)
    {
        ArgumentNullException.ThrowIfNull(seccomp);
        SeccompActionType defaultAction = ParseAction(seccomp.DefaultAction, Root + ".defaultAction");
        if (defaultAction == SeccompActionType.Notify)
        {
            throw new InvalidSpecException(Root + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
        }

        uint defaultData = ParseData(defaultAction, seccomp.DefaultErrnoRet, Root + ".defaultErrnoRet");

        List<SeccompArchitecture> architectures = [];
        for (int i = 0; i < (seccomp.Architectures?.Count ?? 0); i++)
        {
            string path = Indexed(Root + ".architectures", i);
            if (!SeccompArchitectureInfo.TryParse(seccomp.Architectures![i], out SeccompArchitectureInfo info))
            {
                throw new InvalidSpecException(path, $"unknown seccomp architecture \"{seccomp.Architectures[i]}\"");
            }

            architectures.Add(info.Architecture);
        }

        SeccompFilterFlags flags = SeccompFilterFlags.None;
        for (int i = 0; i < (seccomp.Flags?.Count ?? 0); i++)
        {
            flags |= seccomp.Flags![i] switch
            {
                SeccompFilterFlag.Tsync => SeccompFilterFlags.Tsync,
                SeccompFilterFlag.Log => SeccompFilterFlags.Log,
                SeccompFilterFlag.SpecAllow => SeccompFilterFlags.SpecAllow,
                SeccompFilterFlag.WaitKillableRecv => SeccompFilterFlags.WaitKillableRecv,
                string other => throw new InvalidSpecException(Indexed(Root + ".flags", i), $"unknown seccomp flag \"{other}\""),
                null => throw new InvalidSpecException(Indexed(Root + ".flags", i), "must not be null"),
            };
        }

        List<SeccompRule> rules = [];
        bool usesNotify = false;
        for (int i = 0; i < (seccomp.Syscalls?.Count ?? 0); i++)
        {
            string path = Indexed(Root + ".syscalls", i);
            LinuxSyscall syscall = seccomp.Syscalls![i] ?? throw new InvalidSpecException(path, "must not be null");
            if (syscall.Names is null || syscall.Names.Count == 0)
            {
                throw new InvalidSpecException(path + ".names", "must name at least one syscall");
            }

            for (int n = 0; n < syscall.Names.Count; n++)
            {
                if (string.IsNullOrEmpty(syscall.Names[n]))
                {
                    throw new InvalidSpecException(Indexed(path + ".names", n), "syscall name must not be empty");
                }
            }

            SeccompActionType action = ParseAction(syscall.Action, path + ".action");
            usesNotify |= action == SeccompActionType.Notify;
            uint data = ParseData(action, syscall.ErrnoRet, path + ".errnoRet");
            List<SeccompCondition> conditions = [];
            for (int a = 0; a < (syscall.Args?.Count ?? 0); a++)
            {
                string argPath = Indexed(path + ".args", a);
                LinuxSeccompArg arg = syscall.Args![a] ?? throw new InvalidSpecException(argPath, "must not be null");
                if (arg.Index > MaxArgIndex)
                {
                    throw new InvalidSpecException(argPath + ".index", $"argument index {arg.Index} is greater than {MaxArgIndex}");
                }

                conditions.Add(new SeccompCondition((int)arg.Index, arg.Value, arg.ValueTwo ?? 0, ParseOperator(arg.Op, argPath + ".op")));
            }

            rules.Add(new SeccompRule([.. syscall.Names], action, data, conditions, path));
        }

        if (usesNotify && string.IsNullOrEmpty(seccomp.ListenerPath))
        {
            throw new InvalidSpecException(Root + ".listenerPath", "required when a rule uses SCMP_ACT_NOTIFY");
        }

        if ((flags & SeccompFilterFlags.WaitKillableRecv) != 0 && !usesNotify)
        {
            // The kernel refuses the flag (EINVAL) on a filter without a notify listener.
            int index = seccomp.Flags!.IndexOf(SeccompFilterFlag.WaitKillableRecv);
            throw new InvalidSpecException(Indexed(Root + ".flags", index), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY");
        }

        return new SeccompProfile(defaultAction, defaultData, architectures, flags, rules, seccomp.ListenerPath, seccomp.ListenerMetadata);
    }

    private static SeccompActionType ParseAction(string? action, string path) => action switch
    {
        SeccompAction.Kill or SeccompAction.KillThread => SeccompActionType.KillThread,
        SeccompAction.KillProcess => SeccompActionType.KillProcess,
        SeccompAction.Trap => SeccompActionType.Trap,
        SeccompAction.Errno => SeccompActionType.Errno,
        SeccompAction.Trace => SeccompActionType.Trace,
        SeccompAction.Allow => SeccompActionType.Allow,
        SeccompAction.Log => SeccompActionType.Log,
        SeccompAction.Notify => SeccompActionType.Notify,
        null => throw new InvalidSpecException(path, "is required"),
        _ => throw new InvalidSpecException(path, $"unknown seccomp action \"{action}\""),
    };

    private static SeccompComparison ParseOperator(string? op, string path) => op switch
    {
        SeccompOperator.NotEqual => SeccompComparison.NotEqual,
        SeccompOperator.LessThan => SeccompComparison.LessThan,
        SeccompOperator.LessOrEqual => SeccompComparison.LessOrEqual,
        SeccompOperator.Equal => SeccompComparison.Equal,
        SeccompOperator.GreaterOrEqual => SeccompComparison.GreaterOrEqual,
        SeccompOperator.GreaterThan => SeccompComparison.GreaterThan,
        SeccompOperator.MaskedEqual => SeccompComparison.MaskedEqual,
        null => throw new InvalidSpecException(path, "is required"),
        _ => throw new InvalidSpecException(path, $"unknown seccomp operator \"{op}\""),
    };

    private static uint ParseData(SeccompActionType action, uint? errnoRet, string path)
    {
        if (errnoRet is null)
        {
            return action is SeccompActionType.Errno or SeccompActionType.Trace ? Eperm : 0;
        }

        if (action is not (SeccompActionType.Errno or SeccompActionType.Trace))
        {
            throw new InvalidSpecException(path, $"errnoRet is only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not {action}");
        }

        return errnoRet.Value <= MaxData
            ? errnoRet.Value
            : throw new InvalidSpecException(path, $"{errnoRet.Value} is out of range (0 to {MaxData})");
    }

    private static string Indexed(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}
