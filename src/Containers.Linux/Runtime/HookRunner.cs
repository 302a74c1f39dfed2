using System.Diagnostics;
using System.Globalization;
using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>
/// Runs OCI hooks in the runtime's namespaces (prestart, createRuntime, poststart, poststop):
/// each is started by the <see cref="ContainerSpawner"/> — never by forking a .NET host — with
/// the container's state JSON on stdin, the hook's own args and env, and its timeout enforced.
/// </summary>
public static class HookRunner
{
    private const int PipeCapacity = 65536;

    /// <summary>Runs the hooks in order; the first that fails stops the rest.</summary>
    /// <param name="hooks">The hooks of one kind, or <see langword="null"/>.</param>
    /// <param name="kind">The hooks' field name (<c>prestart</c>, <c>poststop</c>…) for messages.</param>
    /// <param name="state">The state passed on stdin.</param>
    /// <param name="workingDirectory">The hooks' cwd (the bundle, as runc does).</param>
    /// <exception cref="HookException">A hook failed to start, exited non-zero or timed out.</exception>
    public static void RunAll(IList<Hook>? hooks, string kind, State state, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int i = 0; i < (hooks?.Count ?? 0); i++)
        {
            Run(hooks![i], $"hooks.{kind}[{i}]", state, workingDirectory);
        }
    }

    private static (ulong Bounding, ulong Effective, ulong Permitted) OwnCapabilities()
    {
        ulong bounding = 0, effective = 0, permitted = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            string[] parts = line.Split(':', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                continue;
            }

            switch (parts[0])
            {
                case "CapBnd":
                    bounding = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    break;
                case "CapEff":
                    effective = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    break;
                case "CapPrm":
                    permitted = ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    break;
            }
        }

        return (bounding, effective, permitted);
    }

    /// <summary>Runs one hook and waits for it.</summary>
    /// <exception cref="HookException">The hook failed to start, exited non-zero or timed out.</exception>
    public static void Run(Hook hook, string field, State state, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(state);
        if (hook.Timeout is <= 0)
        {
            throw new HookException(field, $"timeout must be positive, got {hook.Timeout}");
        }

        byte[] json = RuntimeSpecJson.Serialize(state);
        if (json.Length >= PipeCapacity)
        {
            throw new HookException(field, "the state is too large to pass on stdin");
        }

        (SafeFdHandle read, SafeFdHandle write) = Interop.CreatePipe();
        (SafeFdHandle stdoutRead, SafeFdHandle stdoutWrite) = Interop.CreatePipe();
        (SafeFdHandle stderrRead, SafeFdHandle stderrWrite) = Interop.CreatePipe();
        using (read)
        using (stdoutRead)
        using (stderrRead)
        {
            using (write)
            {
                Interop.WriteFully(write.Fd, json);
            }

            // The hook keeps exactly the runtime's own privileges (runc execs hooks as itself).
            (ulong bounding, ulong effective, ulong permitted) = OwnCapabilities();
            SpawnPlan plan = new()
            {
                Args = hook.Args is { Count: > 0 } args ? [.. args] : [hook.Path],
                ExecPath = hook.Path,
                Env = hook.Env is null ? [] : [.. hook.Env],
                Cwd = workingDirectory,
                Uid = Interop.GetUid(),
                Gid = Interop.GetGid(),
                CapabilityBounding = bounding,
                CapabilityEffective = effective,
                CapabilityPermitted = permitted,
                StdinFd = read.Fd,
                StdoutFd = stdoutWrite.Fd,
                StderrFd = stderrWrite.Fd,
            };
            SpawnedProcess process;
            try
            {
                process = new ContainerSpawner().Spawn(plan);
            }
            catch (ContainersException ex)
            {
                throw new HookException(field, $"cannot start {hook.Path}: {ex.Message}", ex);
            }
            finally
            {
                // Only the hook holds the write ends now: end of file on both means it (and whatever it left behind) is done.
                stdoutWrite.Dispose();
                stderrWrite.Dispose();
            }

            using (process)
            {
                // runc keeps a hook's stdout and stderr and puts both in its error message.
                TimeSpan timeout = hook.Timeout is int seconds ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
                Stopwatch clock = Stopwatch.StartNew();
                HookOutput output = new();
                bool done = output.Collect(stdoutRead, stderrRead, timeout)
                    && process.WaitForExit(timeout == Timeout.InfiniteTimeSpan ? timeout : TimeSpan.FromTicks(Math.Max(0, (timeout - clock.Elapsed).Ticks)));
                if (!done)
                {
                    process.Signal(Interop.SIGKILL);
                    process.WaitForExit();
                    throw new HookException(field, string.Create(CultureInfo.InvariantCulture, $"hook ran past specified timeout of {hook.Timeout:0.0}s ({hook.Path} was killed)"));
                }

                int code = process.WaitForExit();
                if (code != 0)
                {
                    throw new HookException(field, string.Create(CultureInfo.InvariantCulture, $"error running hook: exit status {code}, stdout: {output.Stdout}, stderr: {output.Stderr}"));
                }
            }
        }
    }
}
