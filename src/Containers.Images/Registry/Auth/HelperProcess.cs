using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Registry.Auth;

/// <summary>
/// A child started with posix_spawn (DESIGN §2: glibc's vfork-style child runs no managed code)
/// with its stdin, stdout and stderr on pipes, an empty signal mask and default signal
/// dispositions (.NET ignores SIGPIPE), every other descriptor closed, and its own process group,
/// so that a kill also ends what a script helper started (which would otherwise hold the pipes open).
/// </summary>
internal sealed class HelperProcess : IDisposable
{
    private int _reaped;

    private HelperProcess(int pid, FileStream input, FileStream output, FileStream error)
    {
        Pid = pid;
        StandardInput = input;
        StandardOutput = output;
        StandardError = error;
    }

    public int Pid { get; }

    public FileStream StandardInput { get; }

    public FileStream StandardOutput { get; }

    public FileStream StandardError { get; }

    /// <summary>Spawns <paramref name="path"/> with <paramref name="argv"/> (argv[0] included) and the host's environment.</summary>
    /// <exception cref="IOException">pipe2 or posix_spawn failed (the errno is in the message).</exception>
    public static unsafe HelperProcess Start(string path, IReadOnlyList<string> argv)
    {
        int* fds = stackalloc int[6];
        for (int i = 0; i < 3; i++)
        {
            if (Interop.Pipe2(fds + (2 * i), Interop.O_CLOEXEC) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                for (int j = 0; j < 2 * i; j++)
                {
                    _ = Interop.Close(fds[j]);
                }

                throw new IOException($"pipe2: errno {errno}");
            }
        }

        // Child 0 reads fds[0]; child 1 writes fds[3]; child 2 writes fds[5]. Pipes made after the
        // three standard descriptors are above 2, so no dup2 overwrites a later source.
        int pid;
        try
        {
            pid = Spawn(path, argv, [fds[0], fds[3], fds[5]]);
        }
        catch
        {
            for (int j = 0; j < 6; j++)
            {
                _ = Interop.Close(fds[j]);
            }

            throw;
        }

        _ = Interop.Close(fds[0]);
        _ = Interop.Close(fds[3]);
        _ = Interop.Close(fds[5]);
        return new HelperProcess(
            pid,
            new FileStream(new SafeFileHandle(fds[1], ownsHandle: true), FileAccess.Write, 1),
            new FileStream(new SafeFileHandle(fds[2], ownsHandle: true), FileAccess.Read, 1),
            new FileStream(new SafeFileHandle(fds[4], ownsHandle: true), FileAccess.Read, 1));
    }

    /// <summary>Waits (on a pool thread) for the child to exit and reaps it; returns the shell-style exit code.</summary>
    public Task<int> WaitForExitAsync() => Task.Run(WaitForExit);

    /// <summary>SIGKILLs the child's process group (the child and what it started) if the child has not been reaped yet.</summary>
    public void Kill()
    {
        if (Volatile.Read(ref _reaped) == 0)
        {
            _ = Interop.Kill(-Pid, Interop.SIGKILL);
        }
    }

    /// <summary>Closes the pipes; a child not yet reaped is killed and reaped so no zombie is left.</summary>
    public void Dispose()
    {
        StandardInput.Dispose();
        StandardOutput.Dispose();
        StandardError.Dispose();
        if (Volatile.Read(ref _reaped) == 0)
        {
            Kill();
            _ = WaitForExit();
        }
    }

    private unsafe int WaitForExit()
    {
        int status;
        while (Interop.WaitPid(Pid, &status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.EINTR)
            {
                Volatile.Write(ref _reaped, 1);
                throw new IOException($"waitpid {Pid}: errno {errno}");
            }
        }

        Volatile.Write(ref _reaped, 1);
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    private static unsafe int Spawn(string path, IReadOnlyList<string> argv, ReadOnlySpan<int> descriptors)
    {
        List<nint> allocations = [];
        byte* actions = (byte*)NativeMemory.AllocZeroed(Interop.SpawnFileActionsSize);
        byte* attributes = (byte*)NativeMemory.AllocZeroed(Interop.SpawnAttrSize);
        byte* signals = stackalloc byte[Interop.SigSetSize];
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        byte** arguments = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(nint));
        byte** envp = (byte**)NativeMemory.AllocZeroed((nuint)(environment.Count + 1), (nuint)sizeof(nint));
        try
        {
            byte* Utf8(string text)
            {
                nint native = Marshal.StringToCoTaskMemUTF8(text);
                allocations.Add(native);
                return (byte*)native;
            }

            for (int i = 0; i < argv.Count; i++)
            {
                arguments[i] = Utf8(argv[i]);
            }

            for (int i = 0; i < environment.Count; i++)
            {
                envp[i] = Utf8(environment[i]);
            }

            Check(Interop.SpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            for (int child = 0; child < descriptors.Length; child++)
            {
                Check(Interop.SpawnFileActionsAddDup2(actions, descriptors[child], child), "posix_spawn_file_actions_adddup2");
            }

            Check(Interop.SpawnFileActionsAddCloseFrom(actions, descriptors.Length), "posix_spawn_file_actions_addclosefrom_np");
            Check(Interop.SpawnAttrInit(attributes), "posix_spawnattr_init");
            Check(Interop.SpawnAttrSetFlags(attributes, Interop.POSIX_SPAWN_SETSIGMASK | Interop.POSIX_SPAWN_SETSIGDEF | Interop.POSIX_SPAWN_SETPGROUP), "posix_spawnattr_setflags");
            _ = Interop.SigEmptySet(signals);
            Check(Interop.SpawnAttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            _ = Interop.SigFillSet(signals);
            _ = Interop.SigDelSet(signals, Interop.SIGKILL);
            _ = Interop.SigDelSet(signals, Interop.SIGSTOP);
            Check(Interop.SpawnAttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");

            int pid;
            Check(Interop.PosixSpawn(&pid, Utf8(path), actions, attributes, arguments, envp), "posix_spawn " + path);
            return pid;
        }
        finally
        {
            _ = Interop.SpawnFileActionsDestroy(actions);
            _ = Interop.SpawnAttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(arguments);
            NativeMemory.Free(envp);
            foreach (nint allocation in allocations)
            {
                Marshal.FreeCoTaskMem(allocation);
            }
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new IOException($"{call}: errno {error}");
        }
    }
}
