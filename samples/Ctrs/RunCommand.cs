using System.Globalization;
using Containers.Client;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Tasks;
using RuntimeMount = Containers.Oci.Runtime.Mount;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs run [--rm] [-d] [-i] [--env K=V] [--mount type=bind,src=…,dst=…,options=a:b] [--memory N[k|m|g]]
/// [--cpus N] [--pids N] [--user U] [--net none|host] [--runtime PATH] [--snapshotter overlayfs|native] IMAGE ID [ARGS…]</c>,
/// as <c>ctr run</c>:
/// create the container, start its task with this process's stdout/stderr, wait, delete the task (and
/// with <c>--rm</c> the container); the exit code is the container's. <c>-d</c> starts the task and
/// returns; its output goes to a log file the shim appends to, or — with <c>-t</c> or <c>-i</c> — waits in stdio
/// FIFOs for <c>ctrs tasks attach</c>, as ctr's. <c>-t</c> gives the container a terminal connected to this
/// process's (raw mode when stdin is a terminal, its size forwarded on SIGWINCH). Differences from ctr: without
/// <c>-t</c>, stdin is connected only with <c>-i</c> (ctr always connects it).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(CtrsSettings settings, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        bool remove = false, detach = false, stdin = false, tty = false;
        ContainerOptions options = new();
        int i = 0;
        for (; i < args.Length && args[i].StartsWith('-'); i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new InvalidSpecException(flag, "needs a value");
            switch (flag)
            {
                case "--rm": remove = true; break;
                case "-d" or "--detach": detach = true; break;
                case "-i" or "--stdin": stdin = true; break;
                case "-t" or "--tty": tty = true; options.Spec.Add(SpecOptions.WithTty()); options.Spec.Add(WithConsoleSize(HostTerminal.CurrentSize())); break;
                case "--env" or "-e": options.Spec.Add(SpecOptions.WithEnv(Value())); break;
                case "--mount": options.Spec.Add(SpecOptions.WithMounts(ParseMount(Value()))); break;
                case "--memory": options.Spec.Add(SpecOptions.WithMemoryLimit(ParseSize(flag, Value()))); break;
                case "--cpus": options.Spec.Add(WithCpus(ParseCpus(Value()))); break;
                case "--pids": options.Spec.Add(WithPidsLimit(ParsePositive(flag, Value()))); break;
                case "--user" or "-u": options.Spec.Add(SpecOptions.WithUser(Value())); break;
                case "--net":
                    string net = Value();
                    if (net == "host")
                    {
                        options.Spec.Add(WithHostNetwork());
                    }
                    else if (net != "none")
                    {
                        throw new InvalidSpecException("--net", $"\"{net}\" is not none or host (ctrs sets up no networks)");
                    }

                    break;
                case "--runtime": options.Runtime = Value(); break;
                case "--snapshotter": options.Snapshotter = Value(); break;
                default: return usage($"run: unknown flag {flag}");
            }
        }

        if (args.Length - i < 2)
        {
            return usage("run needs IMAGE ID [ARGS...]");
        }

        if (remove && detach)
        {
            return usage("run: --rm and -d cannot be combined");
        }

        string image = args[i], id = args[i + 1];
        options.Args = args[(i + 2)..];
        await using CtrsRuntime runtime = CtrsRuntime.Open(settings);
        ContainerClient client = runtime.Client;
        Container container = await client.CreateContainerAsync(id, image, options, cancellationToken);
        try
        {
            if (detach && (tty || stdin))
            {
                // FIFOs nobody reads until `ctrs tasks attach` (output beyond their 64 KiB waits is dropped).
                ContainerTask attachable = await container.NewTaskAsync(new ProcessIO { Unattached = true, Terminal = tty }, cancellationToken);
                _ = await attachable.StartAsync(cancellationToken);
                return 0;
            }

            if (detach)
            {
                string log = runtime.LogFile(id);
                Directory.CreateDirectory(Path.GetDirectoryName(log)!);
                ContainerTask started = await container.NewTaskAsync(new ProcessIO { LogFile = log }, cancellationToken);
                _ = await started.StartAsync(cancellationToken);
                return 0;
            }

            return tty ? await RunTerminalAsync(container, cancellationToken) : await RunForegroundAsync(container, stdin, cancellationToken);
        }
        catch when (detach)
        {
            // A detached run that failed leaves nothing, as a failed foreground run does.
            await TasksCommands.DeleteQuietlyAsync(container);
            await container.DeleteAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            if (remove)
            {
                await container.DeleteAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>Connects this process's stdio, starts, waits (Ctrl-C kills the container) and deletes the task.</summary>
    internal static async Task<int> RunForegroundAsync(Container container, bool stdin, CancellationToken cancellationToken)
    {
        await using Stream stdout = Console.OpenStandardOutput();
        await using Stream stderr = Console.OpenStandardError();
        Stream? input = stdin ? Console.OpenStandardInput() : null;
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdin = input, Stdout = stdout, Stderr = stderr }, cancellationToken);
        ExitStatus status;
        try
        {
            _ = await task.StartAsync(cancellationToken);
            status = await WaitOrKillAsync(task, cancellationToken);
        }
        finally
        {
            status = await task.DeleteAsync(CancellationToken.None);
        }

        return ExitCode(container.Id, status);
    }

    /// <summary>The container on a terminal connected to this process's: started, waited for, deleted.</summary>
    private static async Task<int> RunTerminalAsync(Container container, CancellationToken cancellationToken)
    {
        await using HostTerminal terminal = HostTerminal.Open();
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Terminal = true, Stdin = terminal.Stdin, Stdout = terminal.Stdout }, cancellationToken);
        ExitStatus status;
        try
        {
            _ = await task.StartAsync(cancellationToken);
            await terminal.ForwardSizeAsync(task, cancellationToken);
            status = await WaitOrKillAsync(task, cancellationToken);
        }
        finally
        {
            status = await task.DeleteAsync(CancellationToken.None);
        }

        return ExitCode(container.Id, status);
    }

    internal static async Task<ExitStatus> WaitOrKillAsync(TaskProcess process, CancellationToken cancellationToken)
    {
        try
        {
            return await process.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await process.KillAsync(9, all: process.ExecId is null, CancellationToken.None);
            return await process.WaitAsync(CancellationToken.None);
        }
    }

    /// <summary>The process's exit code; a lost shim is reported on stderr and gives 255.</summary>
    internal static int ExitCode(string id, ExitStatus status)
    {
        if (status.IsFailure)
        {
            Console.Error.WriteLine($"ctrs: {id}: {status.Failure}");
        }

        return status.ExitCode;
    }

    /// <summary>ctr's mount syntax: <c>type=bind,src=/a,dst=/b,options=rbind:ro</c>.</summary>
    internal static RuntimeMount ParseMount(string value)
    {
        string? type = null, source = null, destination = null;
        List<string> mountOptions = [];
        foreach (string field in value.Split(','))
        {
            int eq = field.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? field : field[..eq], v = eq < 0 ? "" : field[(eq + 1)..];
            switch (key)
            {
                case "type": type = v; break;
                case "src" or "source": source = v; break;
                case "dst" or "destination" or "target": destination = v; break;
                case "options": mountOptions.AddRange(v.Split(':', StringSplitOptions.RemoveEmptyEntries)); break;
                default: throw new InvalidSpecException("--mount", $"unknown field \"{key}\" in \"{value}\" (type, src, dst, options)");
            }
        }

        if (string.IsNullOrEmpty(destination))
        {
            throw new InvalidSpecException("--mount", $"\"{value}\" has no dst");
        }

        return new RuntimeMount { Type = type ?? "none", Source = source, Destination = destination, Options = mountOptions };
    }

    /// <summary>Bytes with an optional k, m or g suffix (powers of 1024).</summary>
    internal static long ParseSize(string flag, string value)
    {
        (string digits, long unit) = char.ToLowerInvariant(value.Length > 0 ? value[^1] : ' ') switch
        {
            'k' => (value[..^1], 1L << 10),
            'm' => (value[..^1], 1L << 20),
            'g' => (value[..^1], 1L << 30),
            _ => (value, 1L),
        };
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > long.MaxValue / unit)
        {
            throw new InvalidSpecException(flag, $"\"{value}\" is not a positive size (bytes, or with k, m, g)");
        }

        return n * unit;
    }

    private static long ParsePositive(string flag, string value)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 ? n
            : throw new InvalidSpecException(flag, $"\"{value}\" is not a positive integer");

    private static double ParseCpus(string value)
        => double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double cpus) && cpus >= 0.01 && cpus <= 1024 ? cpus
            : throw new InvalidSpecException("--cpus", $"\"{value}\" is not a number of cpus between 0.01 and 1024");

    /// <summary>ctr's <c>--cpus</c>: a CFS quota of cpus × a 100 ms period.</summary>
    private static SpecOption WithCpus(double cpus) => (_, spec, _) =>
    {
        LinuxResources resources = (spec.Linux ??= new Containers.Oci.Runtime.Linux()).Resources ??= new LinuxResources();
        LinuxCpu cpu = resources.Cpu ??= new LinuxCpu();
        cpu.Period = 100_000;
        cpu.Quota = (long)Math.Round(cpus * 100_000);
        return ValueTask.CompletedTask;
    };

    private static SpecOption WithPidsLimit(long limit) => (_, spec, _) =>
    {
        ((spec.Linux ??= new Containers.Oci.Runtime.Linux()).Resources ??= new LinuxResources()).Pids = new LinuxPids { Limit = limit };
        return ValueTask.CompletedTask;
    };

    /// <summary>The terminal's first size (process.consoleSize), so the process never sees 0×0 before the first resize.</summary>
    private static SpecOption WithConsoleSize(ConsoleSize? size) => (_, spec, _) =>
    {
        if (size is not null && spec.Process is { } process)
        {
            process.ConsoleSize = size;
        }

        return ValueTask.CompletedTask;
    };

    /// <summary>ctr's <c>--net-host</c>: no network namespace, so the container shares the host's.</summary>
    private static SpecOption WithHostNetwork() => (_, spec, _) =>
    {
        if (spec.Linux?.Namespaces is { } namespaces)
        {
            foreach (LinuxNamespace ns in namespaces.Where(n => n.Type == "network").ToList())
            {
                namespaces.Remove(ns);
            }
        }

        return ValueTask.CompletedTask;
    };
}
