using System.Globalization;
using System.Text;
using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>The parts of the program for in-container hooks, the time namespace, the session keyring and --no-pivot.</summary>
internal static unsafe partial class ChildProgramBuilder
{
    private const long KeyringSearchByUser = 0x80000;
    private const long KeyringSearchByOthers = 0x8;

    /// <summary>The permissions the kernel gives a keyring joined by name: possessor all, user view/read/link.</summary>
    private const long JoinedKeyringPermissions = 0x3f130000;

    private static void BuildLifecycleExtras(SpawnPlan plan, NativeArena arena, ChildProgram* p)
    {
        p->HookStateFd = -1;
        p->HookStateParentFd = -1;
        p->HookPause = plan.BeforePivotRoot is null ? 0 : 1;
        p->CreateContainerHooks = Hooks(plan.CreateContainerHooks, "createContainer", arena);
        p->CreateContainerHookCount = plan.CreateContainerHooks.Count;
        p->StartContainerHooks = Hooks(plan.StartContainerHooks, "startContainer", arena);
        p->StartContainerHookCount = plan.StartContainerHooks.Count;
        if (plan.CreateContainerHooks.Count + plan.StartContainerHooks.Count > 0)
        {
            if (plan.ContainerHookState is null)
            {
                throw new InvalidSpecException("hooks", "createContainer and startContainer hooks need the container's state");
            }

            p->HookState = (byte*)arena.Allocate(ChildProgram.HookStateCapacity);
        }

        if (plan.NewTimeNamespace)
        {
            p->TimeOffsets = arena.String(TimeOffsetsText(plan.TimeOffsets), "linux.timeOffsets");
            p->TimeOffsetsPath = arena.String("/proc/self/timens_offsets", string.Empty);
            p->TimeForChildrenPath = arena.String("/proc/self/ns/time_for_children", string.Empty);
        }
        else if (plan.TimeOffsets.Count > 0)
        {
            throw new InvalidSpecException("linux.timeOffsets", "time offsets need a time namespace in linux.namespaces");
        }

        if (plan.SessionKeyring is not null)
        {
            p->SessionKeyring = arena.String(plan.SessionKeyring, "sessionKeyring");
            p->SessionKeyringPermissions = JoinedKeyringPermissions
                | ((plan.Namespaces & ContainerNamespaces.User) != 0 ? KeyringSearchByOthers : KeyringSearchByUser);
        }

        if (plan.NoPivotRoot)
        {
            if (plan.RootfsPath is null)
            {
                throw new InvalidSpecException("root.path", "--no-pivot needs a root filesystem");
            }

            p->NoPivot = 1;
            string[] hidden = [.. HostPseudoMounts(File.ReadLines("/proc/self/mountinfo"), plan.RootfsPath)];
            p->HostPseudoMounts = arena.StringArray(hidden, "mountinfo");
            p->HostPseudoMountCount = hidden.Length;
        }
    }

    /// <summary>The text of /proc/PID/timens_offsets: one "clock seconds nanoseconds" line per clock.</summary>
    internal static string TimeOffsetsText(IReadOnlyList<KeyValuePair<string, LinuxTimeOffset>> offsets)
    {
        StringBuilder text = new();
        foreach (KeyValuePair<string, LinuxTimeOffset> offset in offsets)
        {
            if (!TimeOffsetClock.IsKnown(offset.Key))
            {
                throw new InvalidSpecException("linux.timeOffsets." + offset.Key, "unknown clock; expected monotonic or boottime");
            }

            uint nanoseconds = offset.Value.Nanosecs ?? 0;
            if (nanoseconds >= 1_000_000_000)
            {
                throw new InvalidSpecException($"linux.timeOffsets.{offset.Key}.nanosecs", $"{nanoseconds} is not less than one second");
            }

            text.Append(CultureInfo.InvariantCulture, $"{offset.Key} {offset.Value.Secs ?? 0} {nanoseconds}\n");
        }

        // Writing nothing would leave the namespace unconfigured but still valid; one zero line keeps the write uniform.
        return text.Length == 0 ? "monotonic 0 0\n" : text.ToString();
    }

    /// <summary>
    /// runc's msMoveRoot selection: mount points of full (root "/") proc and sysfs mounts not under the rootfs,
    /// deepest first so a covered mount is handled before the one it sits on.
    /// </summary>
    internal static IEnumerable<string> HostPseudoMounts(IEnumerable<string> mountinfo, string rootfs)
    {
        List<string> found = [];
        foreach (string line in mountinfo)
        {
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length)
            {
                continue;
            }

            string mountPoint = Unescape(fields[4]);
            if (fields[3] == "/" && fields[separator + 1] is "proc" or "sysfs" && !mountPoint.StartsWith(rootfs, StringComparison.Ordinal))
            {
                found.Add(mountPoint);
            }
        }

        return found.Distinct(StringComparer.Ordinal).OrderByDescending(m => m.Length);
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        StringBuilder text = new();
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(string s, int at)
        => at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';

    private static ChildHook* Hooks(IReadOnlyList<Hook> hooks, string kind, NativeArena arena)
    {
        ChildHook* result = arena.Allocate<ChildHook>(hooks.Count);
        for (int i = 0; i < hooks.Count; i++)
        {
            Hook hook = hooks[i];
            string field = string.Create(CultureInfo.InvariantCulture, $"hooks.{kind}[{i}]");
            if (string.IsNullOrEmpty(hook.Path) || !hook.Path.StartsWith('/'))
            {
                throw new InvalidSpecException(field + ".path", $"\"{hook.Path}\" must be an absolute path");
            }

            if (hook.Timeout is <= 0)
            {
                throw new InvalidSpecException(field + ".timeout", $"must be positive, got {hook.Timeout}");
            }

            string message = $"runcs: error: {field}: {hook.Path} failed\n";
            result[i] = new ChildHook
            {
                Path = arena.String(hook.Path, field + ".path"),
                Argv = arena.StringArray(hook.Args is { Count: > 0 } args ? [.. args] : [hook.Path], field + ".args"),
                Envp = arena.StringArray(hook.Env is null ? [] : [.. hook.Env], field + ".env"),
                TimeoutMilliseconds = hook.Timeout is int seconds ? seconds * 1000L : -1,
                FailureMessage = arena.String(message, field),
                FailureMessageLength = Encoding.UTF8.GetByteCount(message),
            };
        }

        return result;
    }
}
