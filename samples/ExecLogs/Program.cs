using Containers.Client;
using Containers.DependencyInjection;
using Containers.Images;
using Containers.Samples.ExecLogs;
using Containers.Tasks;
using Microsoft.Extensions.DependencyInjection;

// Starts a container that prints a line every second, streams its output live (each line prefixed
// "[app]"), execs two processes into it while it runs (their output prefixed "[exec]"), then stops it.
// Usage: execlogs [--root DIR] [--state DIR] [--runcs PATH] [--seconds N] IMAGE   (root; IMAGE is busybox-like)
string root = "/var/lib/containers-dotnet-samples", state = "/run/containers-dotnet-samples", runcs = "runcs";
int seconds = 3;
int i = 0;
for (; i < args.Length - 1 && args[i].StartsWith("--", StringComparison.Ordinal); i += 2)
{
    switch (args[i])
    {
        case "--root": root = args[i + 1]; break;
        case "--state": state = args[i + 1]; break;
        case "--runcs": runcs = args[i + 1]; break;
        case "--seconds": seconds = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

if (i != args.Length - 1)
{
    Console.Error.WriteLine("usage: execlogs [--root DIR] [--state DIR] [--runcs PATH] [--seconds N] IMAGE");
    return 2;
}

await using ServiceProvider services = new ServiceCollection()
    .AddContainerRuntime(o => { o.Root = root; o.State = state; o.RuncsPath = runcs; o.Namespace = "exec-logs"; })
    .BuildServiceProvider();
ContainerClient client = services.GetRequiredService<ContainerClient>();
Image image = await client.PullAsync(args[i]);

string id = "execlogs-" + Guid.NewGuid().ToString("N")[..8];
Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "n=0; while true; do echo tick $n; n=$((n + 1)); sleep 1; done"] });
try
{
    using LinePrefixStream app = new("[app] ");
    ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = app, Stderr = app });
    await task.StartAsync();
    try
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds) / 2);
        using LinePrefixStream exec = new("[exec] ");
        foreach ((string execId, string[] argv) in new[] { ("ps", new[] { "ps", "-o", "pid,args" }), ("whoami", new[] { "sh", "-c", "echo uid $(id -u) in $(pwd); exit 3" }) })
        {
            ExecProcess process = await task.ExecAsync(execId, argv, new ProcessIO { Stdout = exec, Stderr = exec });
            await process.StartAsync();
            ExitStatus status = await process.WaitAsync();
            await process.DeleteAsync();
            Console.WriteLine($"exec {execId}: exit {status.ExitCode}");
        }

        await Task.Delay(TimeSpan.FromSeconds(seconds) / 2);
    }
    finally
    {
        // The shell is PID 1 of its pid namespace and ignores SIGTERM without a handler: SIGKILL ends it.
        await task.KillAsync(9, all: true);
        ExitStatus exit = await task.WaitAsync();
        await task.DeleteAsync();
        Console.WriteLine($"app: exit {exit.ExitCode}");
    }
}
finally
{
    await container.DeleteAsync();
}

return 0;
