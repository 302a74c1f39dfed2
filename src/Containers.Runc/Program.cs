using Containers.Runc.Commands;
using Containers.Runc.State;

namespace Containers.Runc;

/// <summary>Entry point of <c>runcs</c>, a runc-compatible OCI runtime.</summary>
internal static class Program
{
    private static readonly HashSet<string> None = [];

    private static int Main(string[] args)
    {
        try
        {
            CommandLine line = CommandLine.Parse(args, FlagsOf);
            RuntimeLog.Configure(line);
            if (line.Globals.TryGetValue("--rootless", out string? rootless) && rootless is not ("false" or "auto"))
            {
                // runc's rootless mode changes cgroup handling (errors ignored); runcs has no such mode.
                throw new UnsupportedException($"--rootless {rootless}: rootless mode is not supported by runcs (false and auto are accepted)");
            }
            if (line.Globals.ContainsKey("--version") || line.Globals.ContainsKey("-v"))
            {
                Output.Out("runcs version 0.1.0\nspec: 1.2.0\n");
                return 0;
            }

            return Dispatch(line);
        }
        catch (NotFoundException ex) when (ex.Kind == "container")
        {
            // runc's words: containerd's shim recognises a vanished container by "does not exist".
            RuntimeLog.Error("container does not exist");
            return 1;
        }
        catch (ContainersException ex)
        {
            RuntimeLog.Error(ex.Message);
            return 1;
        }
        catch (IOException ex)
        {
            RuntimeLog.Error(ex.Message);
            return 1;
        }
        catch (UnauthorizedAccessException ex)
        {
            RuntimeLog.Error(ex.Message);
            return 1;
        }
    }

    /// <summary>Runs the verb of a parsed command line (the shim's in-process driver calls this too).</summary>
    /// <returns>The exit code.</returns>
    internal static int Dispatch(CommandLine line)
    {
        ContainerStore store = new(line.Root);
        return line.Verb switch
        {
            "spec" => SpecCommand.Execute(line),
            "run" => RunCommand.Execute(line, store),
            "create" => CreateCommand.Execute(line, store),
            "exec" => ExecCommand.Execute(line, store),
            "start" => StartCommand.Execute(line, store),
            "state" => StateCommand.Execute(line, store),
            "kill" => KillCommand.Execute(line, store),
            "delete" => DeleteCommand.Execute(line, store),
            "list" => ListCommand.Execute(line, store),
            "pause" => PauseCommand.Pause(line, store),
            "resume" => PauseCommand.Resume(line, store),
            "ps" => PsCommand.Execute(line, store),
            "events" => EventsCommand.Execute(line, store),
            "update" => UpdateCommand.Execute(line, store),
            "features" => FeaturesCommand.Execute(line),
            "spawn-stress" => SpawnStressCommand.Execute(line),
            "userns-hold" => UserNamespaceCommand.Execute(line),
            "shim" => ShimCommand.Execute(line),
            "" => throw new UsageException("usage: runcs [--root dir] spec|run|create|exec|start|state|kill|delete|list|pause|resume|ps|events|update|features ..."),
            _ => throw new UsageException($"No help topic for '{line.Verb}'"),
        };
    }

    /// <summary>The value flags and switches of each verb.</summary>
    internal static (IReadOnlySet<string> Values, IReadOnlySet<string> Switches) FlagsOf(string verb) => verb switch
    {
        "spec" => (Set("--bundle"), Set("--rootless")),
        "run" => (Set("--bundle", "--pid-file", "--console-socket", "--preserve-fds"), Set("--detach", "--keep", "--no-pivot", "--no-new-keyring", "--no-subreaper")),
        "create" => (Set("--bundle", "--pid-file", "--console-socket", "--preserve-fds"), Set("--no-pivot", "--no-new-keyring")),
        "exec" => (Set(ExecCommand.ValueFlags), Set(ExecCommand.SwitchFlags)),
        "kill" => (None, Set("--all")),
        "delete" => (None, Set("--force", "-f")),
        "list" => (Set("--format", "-f"), Set("--quiet")),
        "ps" => (Set("--format", "-f"), None),
        "events" => (Set("--interval"), Set("--stats")),
        "update" => (Set([.. UpdateCommand.Flags, "-r"]), None),
        "spawn-stress" => (Set("--bundle", "--count"), Set("--allocate")),
        "userns-hold" => (Set("--uid-map", "--gid-map"), None),
        "shim" => (Set("--dir", "--ready-fd", "--idle-exit-ms", "--host-pid"), Set("--serve", "--warm-up")),
        _ => (None, None),
    };

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);
}
