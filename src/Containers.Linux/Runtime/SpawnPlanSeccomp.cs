using System.Runtime.InteropServices;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;

namespace Containers.Linux.Runtime;

/// <summary>
/// The seccomp part of planning a spawn: compile <c>linux.seccomp</c> in the parent (through a cache), check
/// that the kernel knows the profile's flags, and refuse what the child itself could not live with.
/// </summary>
internal static class SpawnPlanSeccomp
{
    // Syscalls the child itself makes after installing the filter: sendmsg hands the notify fd over (no agent
    // has it yet, so a notified sendmsg would wait forever); write reports the child's state (runc refuses
    // NOTIFY on write too, and a slow agent would hold up create).
    private static readonly (string Name, string Why)[] OwnSyscalls =
    [
        ("sendmsg", "the container's init hands the notify fd over with it, before any agent could answer"),
        ("write", "the container's init reports its state with it after installing the filter (runc refuses it too)"),
    ];

    // One process compiles a profile once, as crun keeps its compiled programs.
    private static readonly SeccompProgramCache ProcessCache = new();

    /// <summary>The compiled program for <paramref name="profile"/>, or <see langword="null"/> when there is none.</summary>
    /// <exception cref="InvalidSpecException">The profile is malformed or notifies a syscall the child needs; the message names the field.</exception>
    /// <exception cref="UnsupportedException">The kernel lacks a flag the profile asks for, or the architecture has no table.</exception>
    public static SeccompProgram? Compile(LinuxSeccomp? profile, SeccompProgramCache? cache, ICollection<string> warnings)
    {
        if (profile is null)
        {
            return null;
        }

        ReportUnknownFields(profile, warnings);

        SeccompProgram program = (cache ?? ProcessCache).GetOrCompile(profile, NativeArchitecture());
        if (program.UsesNotify)
        {
            RefuseNotifyOnOwnSyscalls(profile);
        }

        SeccompKernelSupport.EnsureSupported(program);
        return program;
    }

    /// <summary>The seccomp architecture of this process.</summary>
    /// <exception cref="UnsupportedException">Neither x64 nor arm64.</exception>
    public static SeccompArchitecture NativeArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => SeccompArchitecture.X86_64,
        Architecture.Arm64 => SeccompArchitecture.Aarch64,
        Architecture other => throw new UnsupportedException($"seccomp: architecture {other} is not supported by the spawner"),
    };

    private static void ReportUnknownFields(LinuxSeccomp profile, ICollection<string> warnings)
    {
        foreach (string key in profile.ExtensionData?.Keys ?? Enumerable.Empty<string>())
        {
            warnings.Add($"linux.seccomp.{key}: unknown field, ignored");
        }

        for (int i = 0; i < (profile.Syscalls?.Count ?? 0); i++)
        {
            foreach (string key in profile.Syscalls![i]?.ExtensionData?.Keys ?? Enumerable.Empty<string>())
            {
                warnings.Add($"linux.seccomp.syscalls[{i}].{key}: unknown field, ignored");
            }
        }
    }

    private static void RefuseNotifyOnOwnSyscalls(LinuxSeccomp profile)
    {
        for (int i = 0; i < (profile.Syscalls?.Count ?? 0); i++)
        {
            LinuxSyscall rule = profile.Syscalls![i];
            if (rule.Action != SeccompAction.Notify)
            {
                continue;
            }

            for (int n = 0; n < rule.Names.Count; n++)
            {
                foreach ((string name, string why) in OwnSyscalls)
                {
                    if (rule.Names[n] == name)
                    {
                        throw new InvalidSpecException($"linux.seccomp.syscalls[{i}].names[{n}]", $"SCMP_ACT_NOTIFY cannot be used for {name}: {why}");
                    }
                }
            }
        }
    }
}
