using System.Globalization;
using Containers.Linux.Runtime;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs exec [flags] id command [args…]</c> or <c>runcs exec --process process.json id</c>: run an
/// additional process in a running (or created) container, in its namespaces, cgroup and seccomp filter.
/// Without -d it waits and returns the process's exit code (128 + signal); a failure before the process
/// runs exits 255 with "exec failed: …", as runc's exec does.
/// </summary>
internal static class ExecCommand
{
    /// <summary>Value flags of exec (long and short spellings).</summary>
    public static readonly string[] ValueFlags =
    [
        "--console-socket", "--pid-file", "--process", "-p", "--env", "-e", "--cwd", "--user", "-u",
        "--additional-gids", "-g", "--cap", "-c", "--preserve-fds", "--apparmor", "--process-label", "--cgroup",
    ];

    /// <summary>Switches of exec.</summary>
    public static readonly string[] SwitchFlags = ["--tty", "-t", "--detach", "--no-new-privs", "--ignore-paused", "--no-subreaper"];

    private const int ExecFailed = 255;

    public static int Execute(CommandLine line, ContainerStore store)
    {
        if (line.Arguments.Count == 0)
        {
            // A usage error, exit 1 as runc's checkArgs; everything after it is an "exec failed" (255).
            throw new UsageException("\"exec\" requires a minimum of 1 argument (the container id)");
        }

        try
        {
            return Run(line, store);
        }
        catch (ContainersException ex)
        {
            RuntimeLog.Error($"exec failed: {ex.Message}");
            return ExecFailed;
        }
    }

    private static int Run(CommandLine line, ContainerStore store)
    {
        string id = line.Arguments[0];
        if (!File.Exists(Path.Combine(store.DirectoryOf(id), "state.json")))
        {
            // runc's words for it.
            RuntimeLog.Error("exec failed: container does not exist");
            return ExecFailed;
        }

        ContainerRecord record = store.Load(id);

        string status = store.StatusOf(record);
        if (status == ContainerStatus.Stopped)
        {
            throw new FailedPreconditionException("cannot exec in a stopped container");
        }

        // As runc 1.1: with --ignore-paused the process joins the frozen cgroup and freezes there until `resume`
        // (exec waits for it like any other; -d returns once it is placed).
        if (status == ContainerStatus.Paused && !line.Switch("--ignore-paused"))
        {
            throw new FailedPreconditionException("cannot exec in a paused container (use --ignore-paused to override)");
        }

        // As runc: the container's config.json from its bundle gives the defaults and the seccomp filter.
        string configPath = Path.Combine(record.Bundle, "config.json");
        if (!File.Exists(configPath))
        {
            throw new NotFoundException("config.json in bundle", record.Bundle);
        }

        Spec spec = RuntimeSpecJson.ParseSpec(File.ReadAllBytes(configPath));
        ProcessSpec process = ProcessOf(line, spec);
        string? consoleSocket = line.Option("--console-socket") is string socket ? Path.GetFullPath(socket) : null;
        bool detached = line.Switch("--detach");
        ContainerLauncher.CheckTerminal(process.Terminal == true, consoleSocket, detached);
        List<string> warnings = [];
        SpawnPlan plan = SpawnPlanFactory.CreateExec(spec, process, record.Bundle, warnings, ContainerLauncher.SeccompCacheFor(spec, store));
        foreach (string warning in warnings)
        {
            RuntimeLog.Warning(warning);
        }

        using TerminalProxy? proxy = !detached && process.Terminal == true ? TerminalProxy.Listen() : null;
        plan = plan with
        {
            PreserveFds = line.IntOption("--preserve-fds", 0),
            ConsoleSocketPath = consoleSocket ?? proxy?.SocketPath,
        };

        ContainerSpawner spawner = new(PlacerOf(line, record));
        using SpawnedProcess spawned = spawner.Exec(plan, record.Pid, record.PidStartTime);
        proxy?.Receive();
        if (line.Option("--pid-file") is string pidFile)
        {
            PidFile.Write(pidFile, spawned.Pid);
        }

        if (detached)
        {
            return 0;
        }

        proxy?.Start();
        int code = ForwardingWait.Wait(spawned);
        proxy?.Drain();
        return code;
    }

    /// <summary>
    /// runc's getProcess: --process as given, or the config's process with the command line's overrides. --cap adds
    /// to the bounding, effective, permitted and ambient sets, not the inheritable one, as runc 1.1 does (so an
    /// ambient capability that is not inheritable is not raised, as under runc).
    /// </summary>
    private static ProcessSpec ProcessOf(CommandLine line, Spec spec)
    {
        if ((line.Option("--process") ?? line.Option("-p")) is string file)
        {
            if (line.Arguments.Count > 1)
            {
                throw new UsageException("exec: --process and a command cannot be given together");
            }

            ProcessSpec given = Oci.OciJson.Deserialize(File.ReadAllBytes(file), RuncsJsonContext.Default.ProcessSpec);
            if (given.Args is not { Count: > 0 })
            {
                throw new InvalidSpecException("process.args", "args must not be empty");
            }

            return given;
        }

        if (line.Arguments.Count < 2)
        {
            throw new UsageException("exec: a command is required after the container id (or --process)");
        }

        ProcessSpec process = spec.Process ?? throw new InvalidSpecException("process", "required to exec");
        process.Args = [.. line.Arguments.Skip(1)];
        if (line.Option("--cwd") is string cwd)
        {
            process.Cwd = cwd;
        }

        // As runc: these override the config's labels in the command-line form only (a --process file has its own).
        if (line.Option("--apparmor") is { Length: > 0 } profile)
        {
            process.ApparmorProfile = profile;
        }

        if (line.Option("--process-label") is { Length: > 0 } label)
        {
            process.SelinuxLabel = label;
        }

        IReadOnlyList<string> caps = line.Options("--cap", "-c");
        if (caps.Count > 0)
        {
            LinuxCapabilities sets = process.Capabilities ?? new LinuxCapabilities();
            sets.Bounding = [.. sets.Bounding ?? [], .. caps];
            sets.Effective = [.. sets.Effective ?? [], .. caps];
            sets.Permitted = [.. sets.Permitted ?? [], .. caps];
            sets.Ambient = [.. sets.Ambient ?? [], .. caps];
            process.Capabilities = sets;
        }

        process.Env = MergeEnv(process.Env ?? [], line.Options("--env", "-e"));
        process.Terminal = line.Switch("--tty") || line.Switch("-t");
        if (line.Option("--no-new-privs") is not null)
        {
            process.NoNewPrivileges = line.Switch("--no-new-privs");
        }

        ProcessUser user = process.User ?? new ProcessUser { Uid = 0, Gid = 0 };
        if ((line.Option("--user") ?? line.Option("-u")) is string ids)
        {
            string[] parts = ids.Split(':');
            if (parts.Length > 2)
            {
                throw new UsageException($"invalid value \"{ids}\" for flag --user (uid[:gid])");
            }

            user.Uid = ParseId(parts[0], "--user");
            if (parts.Length == 2)
            {
                user.Gid = ParseId(parts[1], "--user");
            }
        }

        IReadOnlyList<string> gids = line.Options("--additional-gids", "-g");
        if (gids.Count > 0)
        {
            user.AdditionalGids = [.. user.AdditionalGids ?? [], .. gids.Select(g => ParseId(g, "--additional-gids"))];
        }

        process.User = user;
        return process;
    }

    /// <summary>The config's environment with the -e values; a later value of the same name wins, in the earlier place.</summary>
    private static List<string> MergeEnv(IList<string> env, IReadOnlyList<string> extra)
    {
        List<string> result = [];
        Dictionary<string, int> positions = new(StringComparer.Ordinal);
        foreach (string entry in env.Concat(extra))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? entry : entry[..eq];
            if (positions.TryGetValue(name, out int at))
            {
                result[at] = entry;
            }
            else
            {
                positions[name] = result.Count;
                result.Add(entry);
            }
        }

        return result;
    }

    private static uint ParseId(string text, string flag)
        => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id)
            ? id
            : throw new UsageException($"invalid value \"{text}\" for flag {flag}: runcs exec takes numeric ids");

    /// <summary>The container's cgroup, or the sub-cgroups --cgroup names (runc 1.1's exec --cgroup).</summary>
    private static ICgroupPlacer? PlacerOf(CommandLine line, ContainerRecord record)
    {
        IReadOnlyList<string> subCgroups = line.Options("--cgroup");
        if (record.CgroupPath is null)
        {
            return subCgroups.Count == 0 ? null : throw new FailedPreconditionException("--cgroup: the container has no cgroup recorded");
        }

        Linux.Cgroups.ICgroupManager manager = ContainerCgroups.Of(record);
        return (ICgroupPlacer?)SubCgroupPlacer.For(subCgroups, manager) ?? new CgroupPlacer(manager);
    }
}
