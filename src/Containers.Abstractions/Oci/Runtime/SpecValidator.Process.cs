namespace Containers.Oci.Runtime;

/// <content>Rules for <c>process</c>.</content>
public static partial class SpecValidator
{
    private const int MaxUmask = 0x1FF; // 0777

    private static void ValidateProcess(ProcessSpec process, string path)
    {
        if ((process.Args is null || process.Args.Count == 0) && string.IsNullOrEmpty(process.CommandLine))
        {
            Fail(path + ".args", "must not be empty");
        }

        RequireAbsolute(process.Cwd, path + ".cwd");
        if (process.Env is not null)
        {
            for (int i = 0; i < process.Env.Count; i++)
            {
                string? entry = process.Env[i];
                if (entry is null || entry.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    Fail(Index(path + ".env", i), $"{Quote(entry)} is not of the form KEY=value");
                }
            }
        }

        if (process.User?.Umask is uint umask && umask > MaxUmask)
        {
            Fail(path + ".user.umask", $"umask {umask} is greater than 0777");
        }

        if (process.Capabilities is LinuxCapabilities caps)
        {
            string capsPath = path + ".capabilities";
            ValidateKnownList(caps.Bounding, capsPath + ".bounding", LinuxCapability.IsKnown, "capability");
            ValidateKnownList(caps.Effective, capsPath + ".effective", LinuxCapability.IsKnown, "capability");
            ValidateKnownList(caps.Inheritable, capsPath + ".inheritable", LinuxCapability.IsKnown, "capability");
            ValidateKnownList(caps.Permitted, capsPath + ".permitted", LinuxCapability.IsKnown, "capability");
            ValidateKnownList(caps.Ambient, capsPath + ".ambient", LinuxCapability.IsKnown, "capability");
        }

        ValidateRlimits(process.Rlimits, path + ".rlimits");
        if (process.OomScoreAdj is int oom && (oom < -1000 || oom > 1000))
        {
            Fail(path + ".oomScoreAdj", $"{oom} is outside -1000 to 1000");
        }

        if (process.Scheduler is LinuxScheduler scheduler)
        {
            ValidateScheduler(scheduler, path + ".scheduler");
        }

        if (process.IOPriority is LinuxIOPriority ioPriority)
        {
            ValidateKnown(ioPriority.Class, path + ".ioPriority.class", IOPriorityClass.IsKnown, "I/O priority class");
            if (ioPriority.Priority is < 0 or > 7)
            {
                Fail(path + ".ioPriority.priority", $"{ioPriority.Priority} is outside 0 to 7");
            }
        }

        if (process.ExecCpuAffinity is CpuAffinity affinity)
        {
            ValidateCpuList(affinity.Initial, path + ".execCPUAffinity.initial");
            ValidateCpuList(affinity.Final, path + ".execCPUAffinity.final");
        }
    }

    private static void ValidateRlimits(IList<PosixRlimit>? rlimits, string listPath)
    {
        if (rlimits is null)
        {
            return;
        }

        HashSet<string> seen = new(StringComparer.Ordinal);
        for (int i = 0; i < rlimits.Count; i++)
        {
            string path = Index(listPath, i);
            PosixRlimit rlimit = NotNull(rlimits[i], path);
            ValidateKnown(rlimit.Type, path + ".type", PosixRlimitType.IsKnown, "rlimit type");
            if (!seen.Add(rlimit.Type))
            {
                Fail(path + ".type", $"duplicate rlimit type {Quote(rlimit.Type)}");
            }

            if (rlimit.Soft > rlimit.Hard)
            {
                Fail(path + ".soft", $"soft limit {rlimit.Soft} is greater than hard limit {rlimit.Hard}");
            }
        }
    }

    private static void ValidateScheduler(LinuxScheduler scheduler, string path)
    {
        ValidateKnown(scheduler.Policy, path + ".policy", SchedulerPolicy.IsKnown, "scheduler policy");
        ValidateKnownList(scheduler.Flags, path + ".flags", SchedulerFlag.IsKnown, "scheduler flag");
        if (scheduler.Nice is int nice && (nice < -20 || nice > 19))
        {
            Fail(path + ".nice", $"nice value {nice} is outside -20 to 19");
        }

        if (scheduler.Priority is int priority && (priority < 0 || priority > 99))
        {
            Fail(path + ".priority", $"priority {priority} is outside 0 to 99");
        }
    }

    private static void ValidateCpuList(string? value, string path)
    {
        if (value is not null && !CpuListPattern().IsMatch(value))
        {
            Fail(path, $"{Quote(value)} is not a CPU list such as \"0-3,7\"");
        }
    }
}
