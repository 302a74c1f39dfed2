using Containers.Client;
using Containers.DependencyInjection;
using Containers.Images;
using Containers.Oci;
using Microsoft.Extensions.DependencyInjection;

// Runs three containers, each against one limit, and prints what the limit did:
//   memory: 32 MiB, the process allocates without end -> the kernel's OOM killer ends it (exit 137, SIGKILL);
//   pids:   16 processes, a shell tries to start 40 sleepers -> the fork past the limit fails (EAGAIN) and stops it;
//   cpu:    a 0.2-cpu CFS quota against none, a 2-second busy loop -> far fewer iterations under the quota.
// Usage: resourcelimits [--root DIR] [--state DIR] [--runcs PATH] IMAGE   (root; IMAGE is busybox-like)
string root = "/var/lib/containers-dotnet-samples", state = "/run/containers-dotnet-samples", runcs = "runcs";
int i = 0;
for (; i < args.Length - 1 && args[i].StartsWith("--", StringComparison.Ordinal); i += 2)
{
    switch (args[i])
    {
        case "--root": root = args[i + 1]; break;
        case "--state": state = args[i + 1]; break;
        case "--runcs": runcs = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

if (i != args.Length - 1)
{
    Console.Error.WriteLine("usage: resourcelimits [--root DIR] [--state DIR] [--runcs PATH] IMAGE");
    return 2;
}

await using ServiceProvider services = new ServiceCollection()
    .AddContainerRuntime(o => { o.Root = root; o.State = state; o.RuncsPath = runcs; o.Namespace = "resource-limits"; })
    .BuildServiceProvider();
ContainerClient client = services.GetRequiredService<ContainerClient>();
Image image = await client.PullAsync(args[i]);

RunOptions memory = new();
memory.Spec.Add(SpecOptions.WithMemoryLimit(32L << 20));
// tail buffers an endless line: its memory grows until the cgroup's limit, then the OOM killer ends it.
RunResult oom = await client.RunAsync(image, ["sh", "-c", "tail /dev/zero"], memory);
Console.WriteLine($"memory 32 MiB: exit {oom.ExitCode} ({(oom.ExitCode == 137 ? "killed by SIGKILL: the OOM killer" : "not OOM-killed")})");

RunOptions pids = new();
pids.Spec.Add((_, spec, _) =>
{
    ((spec.Linux ??= new()).Resources ??= new()).Pids = new() { Limit = 16 };
    return ValueTask.CompletedTask;
});
RunResult forks = await client.RunAsync(image, ["sh", "-c", "for n in $(seq 40); do sleep 2 & echo $n; done; wait"], pids);
// Each started sleeper printed its number; the first refused fork stops the shell with busybox's
// "can't fork: Resource temporarily unavailable" (EAGAIN from the pids controller).
int started = forks.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
Console.WriteLine($"pids 16: {started} of 40 sleepers started, then \"{forks.Stderr.Trim()}\" (exit {forks.ExitCode})");

const string BusyLoop = "n=0; end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do n=$((n + 1)); done; echo $n";
RunResult free = await client.RunAsync(image, ["sh", "-c", BusyLoop]);
RunOptions quota = new();
quota.Spec.Add((_, spec, _) =>
{
    ((spec.Linux ??= new()).Resources ??= new()).Cpu = new() { Quota = 20_000, Period = 100_000 };
    return ValueTask.CompletedTask;
});
RunResult throttled = await client.RunAsync(image, ["sh", "-c", BusyLoop], quota);
Console.WriteLine($"cpu: 2 s busy loop, {free.Stdout.Trim()} iterations without a limit, {throttled.Stdout.Trim()} under a 0.2-cpu quota");
return 0;
