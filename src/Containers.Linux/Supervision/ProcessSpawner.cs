using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Supervision;

/// <summary>
/// Starts an executable with posix_spawn: glibc's vfork-style child runs no managed code, so this
/// is safe from a multithreaded .NET host (DESIGN.md §2) as well as from the single-threaded shim.
/// The child gets exactly the descriptors asked for as 0, 1, 2…, every other descriptor closed,
/// an empty signal mask and every signal at its default disposition (.NET ignores SIGPIPE).
/// </summary>
internal static class ProcessSpawner
{
    /// <summary>Spawns <paramref name="path"/>; returns its pid (the caller reaps it).</summary>
    /// <param name="path">The executable.</param>
    /// <param name="argv">The whole argument vector, argv[0] included.</param>
    /// <param name="descriptors">The parent's descriptor for each child descriptor 0..n-1; -1 gives /dev/null.
    /// None may be below its own child index (an earlier dup2 would have replaced it).</param>
    /// <param name="newSession">Start the child in a new session (setsid), detached from any terminal.</param>
    /// <exception cref="LinuxErrorException">posix_spawn failed (for example ENOENT for a missing binary).</exception>
    public static unsafe int Spawn(string path, IReadOnlyList<string> argv, ReadOnlySpan<int> descriptors, bool newSession = false)
    {
        List<nint> allocations = [];
        List<nint> arrays = [];
        byte* actions = (byte*)NativeMemory.AllocZeroed(Interop.SpawnFileActionsSize);
        byte* attributes = (byte*)NativeMemory.AllocZeroed(Interop.SpawnAttrSize);
        byte* signals = stackalloc byte[Interop.SigSetSize];
        try
        {
            byte* Utf8(string text)
            {
                nint native = Marshal.StringToCoTaskMemUTF8(text);
                allocations.Add(native);
                return (byte*)native;
            }

            byte** arguments = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(nint));
            arrays.Add((nint)arguments);
            for (int i = 0; i < argv.Count; i++)
            {
                arguments[i] = Utf8(argv[i]);
            }

            List<string> environment = [];
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                environment.Add($"{entry.Key}={entry.Value}");
            }

            byte** envp = (byte**)NativeMemory.AllocZeroed((nuint)(environment.Count + 1), (nuint)sizeof(nint));
            arrays.Add((nint)envp);
            for (int i = 0; i < environment.Count; i++)
            {
                envp[i] = Utf8(environment[i]);
            }

            Check(Interop.SpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            byte* devNull = Utf8("/dev/null");
            for (int child = 0; child < descriptors.Length; child++)
            {
                int parent = descriptors[child];
                if (parent >= 0 && parent < child)
                {
                    throw new ArgumentException($"descriptor {parent} for child fd {child} would be overwritten", nameof(descriptors));
                }

                Check(parent < 0
                    ? Interop.SpawnFileActionsAddOpen(actions, child, devNull, Interop.O_RDWR, 0)
                    : Interop.SpawnFileActionsAddDup2(actions, parent, child), "posix_spawn_file_actions");
            }

            Check(Interop.SpawnFileActionsAddCloseFrom(actions, descriptors.Length), "posix_spawn_file_actions_addclosefrom_np");

            Check(Interop.SpawnAttrInit(attributes), "posix_spawnattr_init");
            short flags = Interop.POSIX_SPAWN_SETSIGMASK | Interop.POSIX_SPAWN_SETSIGDEF;
            if (newSession)
            {
                flags |= Interop.POSIX_SPAWN_SETSID;
            }

            Check(Interop.SpawnAttrSetFlags(attributes, flags), "posix_spawnattr_setflags");
            _ = Interop.SigEmptySet(signals);
            Check(Interop.SpawnAttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            _ = Interop.SigFillSet(signals);
            _ = Interop.SigDelSet(signals, Interop.SIGKILL);
            _ = Interop.SigDelSet(signals, 19); // SIGSTOP
            Check(Interop.SpawnAttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");

            int pid;
            int error = Interop.PosixSpawn(&pid, Utf8(path), actions, attributes, arguments, envp);
            if (error != 0)
            {
                throw new LinuxErrorException("posix_spawn", error, path);
            }

            return pid;
        }
        finally
        {
            _ = Interop.SpawnFileActionsDestroy(actions);
            _ = Interop.SpawnAttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            foreach (nint allocation in allocations)
            {
                Marshal.FreeCoTaskMem(allocation);
            }

            foreach (nint array in arrays)
            {
                NativeMemory.Free((void*)array);
            }
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new LinuxErrorException(call, error);
        }
    }

    /// <summary>For messages: the command line as one string.</summary>
    public static string Describe(IReadOnlyList<string> argv)
    {
        StringBuilder text = new();
        foreach (string argument in argv)
        {
            _ = text.Append(text.Length == 0 ? string.Empty : " ").Append(argument);
        }

        return text.ToString();
    }
}
