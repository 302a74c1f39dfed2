using System.Diagnostics;
using Containers;
using Containers.Client;
using Containers.DependencyInjection;
using Containers.Distribution;
using Containers.Images;
using Containers.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Samples.QuickStart;

/// <summary>
/// The main job, end to end through the library's facade: (optionally push a busybox image,) pull an
/// image, run a container from it and print what it wrote. Usage:
/// <c>quickstart --runcs PATH [--root DIR] [--state DIR] [--push-busybox] REFERENCE [ARGS...]</c>
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string? runcs = null;
        string root = "/var/lib/containers-dotnet-quickstart";
        string? state = null;
        bool pushBusybox = false;
        int i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            switch (args[i])
            {
                case "--runcs": runcs = Path.GetFullPath(args[++i]); break;
                case "--root": root = Path.GetFullPath(args[++i]); break;
                case "--state": state = Path.GetFullPath(args[++i]); break;
                case "--push-busybox": pushBusybox = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (runcs is null || i >= args.Length)
        {
            Console.Error.WriteLine("usage: quickstart --runcs PATH [--root DIR] [--state DIR] [--push-busybox] REFERENCE [ARGS...]");
            return 2;
        }

        string reference = args[i];
        string[] command = args[(i + 1)..];
        using CancellationTokenSource cts = new();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            if (pushBusybox)
            {
                Stopwatch push = Stopwatch.StartNew();
                using RegistryClient registry = new();
                await BusyboxImage.PushAsync(registry, ImageReference.Parse(reference).WithDefaultTag(), cts.Token);
                Console.WriteLine($"pushed   {reference} (busybox-static) in {push.ElapsedMilliseconds} ms");
            }

            return await RunAsync(runcs, root, state ?? root + "-state", reference, command, cts.Token);
        }
        catch (ContainersException ex)
        {
            Console.Error.WriteLine($"quickstart: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(string runcs, string root, string state, string reference, string[] command, CancellationToken cancellationToken)
    {
        Stopwatch clock = Stopwatch.StartNew();

        // The quick start: a runtime in the process, pull, run, print.
        await using ServiceProvider services = new ServiceCollection()
            .AddContainerRuntime(o => { o.Root = root; o.State = state; o.RuncsPath = runcs; o.Namespace = "quickstart"; })
            .BuildServiceProvider();
        ContainerClient client = services.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(reference, cancellationToken: cancellationToken);
        Console.WriteLine($"pulled   {image.Name} -> {image.Target.Digest} (unpacked into overlayfs) in {clock.ElapsedMilliseconds} ms");

        clock.Restart();
        RunResult result = await client.RunAsync(image, command, cancellationToken: cancellationToken);
        Console.Write(result.Stdout);
        Console.Error.Write(result.Stderr);

        Console.WriteLine($"ran      {result.Id}: exit code {result.ExitCode} in {clock.ElapsedMilliseconds} ms");
        return result.ExitCode;
    }
}
