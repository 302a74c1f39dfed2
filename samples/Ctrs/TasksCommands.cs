using System.Globalization;
using Containers.Client;
using Containers.Runtime;
using Containers.Tasks;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs tasks ls | kill [-s SIGNAL] [--all] [--exec-id E] ID | exec --exec-id E [-d] [-t] [--env K=V] [--cwd D] ID ARGS… |
/// attach [--exec-id E] ID | pause ID | resume ID | metrics ID | rm [-f] ID</c>, as <c>ctr tasks</c>. Tasks are found through
/// their shims in the state directory, so a task started by one ctrs process (<c>run -d</c>) is driven by the next.
/// </summary>
internal static class TasksCommands
{
    public static async Task<int> RunAsync(CtrsSettings settings, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            return usage("tasks needs a command: ls, kill, exec, attach, pause, resume, metrics, rm");
        }

        string[] rest = args[1..];
        await using CtrsRuntime runtime = CtrsRuntime.Open(settings);
        ContainerClient client = runtime.Client;
        return args[0] switch
        {
            "ls" or "list" => await ListAsync(client, cancellationToken),
            "kill" => await KillAsync(client, rest, usage, cancellationToken),
            "exec" => await ExecAsync(client, rest, usage, cancellationToken),
            "attach" when rest.Length == 1 => await AttachCommand.RunAsync(client, rest[0], null, cancellationToken),
            "attach" when rest.Length == 3 && rest[0] == "--exec-id" => await AttachCommand.RunAsync(client, rest[2], rest[1], cancellationToken),
            "pause" when rest.Length == 1 => await PauseAsync(client, rest[0], pause: true, cancellationToken),
            "resume" when rest.Length == 1 => await PauseAsync(client, rest[0], pause: false, cancellationToken),
            "metrics" or "stats" when rest.Length == 1 => await MetricsAsync(client, rest[0], cancellationToken),
            "rm" or "delete" => await RemoveAsync(client, rest, usage, cancellationToken),
            _ => usage($"tasks {args[0]}: unknown command or wrong arguments"),
        };
    }

    /// <summary>Deletes a container's task if it has one (killing it first); used to undo a failed start.</summary>
    internal static async Task DeleteQuietlyAsync(Container container)
    {
        try
        {
            ContainerTask task = await container.LoadTaskAsync(CancellationToken.None);
            await StopAsync(task, CancellationToken.None);
            _ = await task.DeleteAsync(CancellationToken.None);
        }
        catch (NotFoundException)
        {
        }
    }

    private static async Task<int> ListAsync(ContainerClient client, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{"TASK",-40} {"PID",8} STATUS");
        await foreach (Container container in client.ListContainersAsync(cancellationToken: cancellationToken))
        {
            TaskState state;
            try
            {
                state = await client.Tasks.StateAsync(container.Id, null, cancellationToken);
            }
            catch (NotFoundException)
            {
                continue;
            }

            Console.WriteLine($"{container.Id,-40} {state.Pid,8} {state.Status.ToString().ToUpperInvariant()}");
        }

        return 0;
    }

    private static async Task<int> KillAsync(ContainerClient client, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        int signal = 15;
        bool all = false;
        string? execId = null;
        int i = 0;
        for (; i < args.Length - 1 && args[i].StartsWith('-'); i++)
        {
            switch (args[i])
            {
                case "-s" or "--signal": signal = ParseSignal(args[++i]); break;
                case "-a" or "--all": all = true; break;
                case "--exec-id": execId = args[++i]; break;
                default: return usage($"tasks kill: unknown flag {args[i]}");
            }
        }

        if (args.Length - i != 1)
        {
            return usage("tasks kill [-s SIGNAL] [--all] [--exec-id E] ID");
        }

        await client.Tasks.KillAsync(args[i], signal, execId, all, cancellationToken);
        return 0;
    }

    private static async Task<int> ExecAsync(ContainerClient client, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        string? execId = null;
        bool detach = false, tty = false;
        ExecOptions options = new();
        int i = 0;
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            switch (args[i])
            {
                case "--exec-id" when i + 1 < args.Length: execId = args[++i]; break;
                case "-d" or "--detach": detach = true; break;
                case "--env" or "-e" when i + 1 < args.Length: options.Env.Add(args[++i]); break;
                case "--cwd" when i + 1 < args.Length: options.Cwd = args[++i]; break;
                case "-t" or "--tty": tty = true; break;
                default: return usage($"tasks exec: unknown flag {args[i]}");
            }
        }

        if (execId is null || args.Length - i < 2)
        {
            return usage("tasks exec --exec-id E [-d] [-t] [--env K=V] [--cwd DIR] ID ARGS...");
        }

        Container container = await client.LoadContainerAsync(args[i], cancellationToken);
        ContainerTask task = await container.LoadTaskAsync(cancellationToken);
        if (detach)
        {
            // Nobody reads a detached exec's output: it goes nowhere, as ctr's without a log; with -t it waits
            // in the terminal's FIFOs for `tasks attach --exec-id`.
            ExecProcess detached = await task.ExecAsync(execId, args[(i + 1)..], tty ? new ProcessIO { Unattached = true, Terminal = true } : ProcessIO.Null, options, cancellationToken);
            _ = await detached.StartAsync(cancellationToken);
            return 0;
        }

        options.ConsoleSize = tty ? HostTerminal.CurrentSize() : null;
        await using HostTerminal? terminal = tty ? HostTerminal.Open() : null;
        await using Stream stdout = Console.OpenStandardOutput();
        await using Stream stderr = Console.OpenStandardError();
        ProcessIO io = terminal is null ? new ProcessIO { Stdout = stdout, Stderr = stderr } : new ProcessIO { Terminal = true, Stdin = terminal.Stdin, Stdout = terminal.Stdout };
        ExecProcess process = await task.ExecAsync(execId, args[(i + 1)..], io, options, cancellationToken);
        ExitStatus status;
        try
        {
            _ = await process.StartAsync(cancellationToken);
            if (terminal is not null)
            {
                await terminal.ForwardSizeAsync(process, cancellationToken);
            }

            status = await RunCommand.WaitOrKillAsync(process, cancellationToken);
        }
        finally
        {
            status = await process.DeleteAsync(CancellationToken.None);
        }

        return RunCommand.ExitCode(container.Id + " " + execId, status);
    }

    private static async Task<int> PauseAsync(ContainerClient client, string id, bool pause, CancellationToken cancellationToken)
    {
        if (pause)
        {
            await client.Tasks.PauseAsync(id, cancellationToken);
        }
        else
        {
            await client.Tasks.ResumeAsync(id, cancellationToken);
        }

        return 0;
    }

    private static async Task<int> MetricsAsync(ContainerClient client, string id, CancellationToken cancellationToken)
    {
        // The task service's answer as it is: the shim may not sample metrics (UnsupportedException, exit 1).
        ContainerStats stats = await client.Tasks.MetricsAsync(id, cancellationToken);
        Console.WriteLine($"ID: {id}");
        Console.WriteLine($"TIMESTAMP: {stats.Timestamp:O}");
        Console.WriteLine($"cpu.total_ns {stats.Cpu.TotalNanoseconds}  cpu.user_ns {stats.Cpu.UserNanoseconds}  cpu.kernel_ns {stats.Cpu.KernelNanoseconds}  throttled_periods {stats.Cpu.ThrottledPeriods}");
        Console.WriteLine($"memory.usage {stats.Memory.UsageBytes}  memory.limit {stats.Memory.LimitBytes?.ToString(CultureInfo.InvariantCulture) ?? "-"}  memory.max_usage {stats.Memory.MaxUsageBytes?.ToString(CultureInfo.InvariantCulture) ?? "-"}  oom_kills {stats.Memory.OomKills}");
        Console.WriteLine($"pids.current {stats.Pids.Current}  pids.limit {stats.Pids.Limit?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
        return 0;
    }

    private static async Task<int> RemoveAsync(ContainerClient client, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        bool force = args.Length == 2 && args[0] is "-f" or "--force";
        if (args.Length != (force ? 2 : 1))
        {
            return usage("tasks rm [-f] ID");
        }

        Container container = await client.LoadContainerAsync(args[^1], cancellationToken);
        ContainerTask task = await container.LoadTaskAsync(cancellationToken);
        if (force)
        {
            await StopAsync(task, cancellationToken);
        }

        ExitStatus status = await task.DeleteAsync(cancellationToken);
        Console.WriteLine($"{container.Id}: exit status {status.ExitCode}{(status.IsFailure ? " (" + status.Failure + ")" : "")}");
        return 0;
    }

    /// <summary>Kills the task's processes (SIGKILL) and waits for its exit, unless it has stopped already.</summary>
    private static async Task StopAsync(ContainerTask task, CancellationToken cancellationToken)
    {
        if ((await task.StatusAsync(cancellationToken)).Status == ProcessStatus.Stopped)
        {
            return;
        }

        try
        {
            await task.KillAsync(9, all: true, cancellationToken);
        }
        catch (FailedPreconditionException)
        {
            // The shim refuses to signal an init that has exited: it did so after the status above (right after
            // a `tasks kill`, say, when the kernel had not yet reaped it). Anything else is the caller's to see.
            if ((await task.StatusAsync(cancellationToken)).Status != ProcessStatus.Stopped)
            {
                throw;
            }
        }

        _ = await task.WaitAsync(cancellationToken);
    }

    /// <summary>A signal by number, or by name with or without <c>SIG</c>.</summary>
    internal static int ParseSignal(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is > 0 and < 65)
        {
            return number;
        }

        string name = value.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? value[3..] : value;
        return name.ToUpperInvariant() switch
        {
            "HUP" => 1, "INT" => 2, "QUIT" => 3, "KILL" => 9, "USR1" => 10, "USR2" => 12,
            "TERM" => 15, "CONT" => 18, "STOP" => 19, "WINCH" => 28,
            _ => throw new InvalidSpecException("--signal", $"\"{value}\" is not a signal number or a known name (HUP INT QUIT KILL USR1 USR2 TERM CONT STOP WINCH)"),
        };
    }
}
