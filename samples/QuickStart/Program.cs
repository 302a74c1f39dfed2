using System.Diagnostics;
using Containers;
using Containers.Content;
using Containers.Diff;
using Containers.Distribution;
using Containers.Images.Pull;
using Containers.Oci.Image;
using Containers.Oci.Runtime;
using Containers.Registry;
using Containers.Snapshots.Apply;

namespace Containers.Samples.QuickStart;

/// <summary>
/// The main job, end to end through the library: (optionally push a busybox image,) pull an image
/// into a content store, unpack its layers into a root filesystem, write an OCI bundle from the
/// image config, and run it with runcs. Usage:
/// <c>quickstart --runcs PATH [--root DIR] [--push-busybox] REFERENCE [ARGS...]</c>
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string? runcs = null;
        string root = "/var/lib/containers-dotnet-quickstart";
        bool pushBusybox = false;
        int i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            switch (args[i])
            {
                case "--runcs": runcs = args[++i]; break;
                case "--root": root = args[++i]; break;
                case "--push-busybox": pushBusybox = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (runcs is null || i >= args.Length)
        {
            Console.Error.WriteLine("usage: quickstart --runcs PATH [--root DIR] [--push-busybox] REFERENCE [ARGS...]");
            return 2;
        }

        ImageReference reference = ImageReference.Parse(args[i]).WithDefaultTag();
        string[] command = args[(i + 1)..];
        using CancellationTokenSource cts = new();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

        try
        {
            return await RunAsync(runcs, root, pushBusybox, reference, command, cts.Token);
        }
        catch (ContainersException ex)
        {
            Console.Error.WriteLine($"quickstart: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(string runcs, string root, bool pushBusybox, ImageReference reference, string[] command, CancellationToken cancellationToken)
    {
        using RegistryClient registry = new();
        Stopwatch clock = Stopwatch.StartNew();
        if (pushBusybox)
        {
            await BusyboxImage.PushAsync(registry, reference, cancellationToken);
            Console.WriteLine($"pushed   {reference} (busybox-static) in {clock.ElapsedMilliseconds} ms");
        }

        Directory.CreateDirectory(root);
        LocalContentStore store = new(Path.Combine(root, "content"));
        clock.Restart();
        PulledImage image = await new ImagePuller(registry, store).PullAsync(reference, cancellationToken: cancellationToken);
        Console.WriteLine($"pulled   {reference} -> {image.Manifest.Digest} ({image.Layers.Count} layer(s), {image.Layers.Sum(l => l.Size)} bytes) in {clock.ElapsedMilliseconds} ms");

        string bundle = Directory.CreateTempSubdirectory("quickstart-bundle-").FullName;
        try
        {
            string rootfs = Path.Combine(bundle, "rootfs");
            Directory.CreateDirectory(rootfs);
            clock.Restart();
            LayerApplier applier = new();
            for (int n = 0; n < image.Layers.Count; n++)
            {
                await using IContentReader reader = await store.OpenReaderAsync(image.Layers[n], cancellationToken);
                await using Stream layer = reader.AsStream();
                LayerApplyResult applied = await applier.ApplyAsync(layer, rootfs, LayerApplyOptions.Default, cancellationToken);
                // The config's diff ids name the uncompressed layers: an unpacked tree that does not match is not the image.
                if (applied.DiffId != image.Config.RootFs.DiffIds[n])
                {
                    throw new DigestMismatchException(image.Config.RootFs.DiffIds[n], applied.DiffId);
                }
            }

            Console.WriteLine($"unpacked {image.Layers.Count} layer(s) into {rootfs} in {clock.ElapsedMilliseconds} ms");

            await WriteBundleAsync(runcs, bundle, image.Config, command, cancellationToken);
            string state = Path.Combine(root, "runcs-state");
            string id = $"quickstart-{Environment.ProcessId}";
            clock.Restart();
            using Process container = Process.Start(new ProcessStartInfo(runcs)
            {
                ArgumentList = { "--root", state, "run", "--bundle", bundle, id },
                UseShellExecute = false,
            })!;
            await container.WaitForExitAsync(cancellationToken);
            Console.WriteLine($"ran      {id}: exit code {container.ExitCode} in {clock.ElapsedMilliseconds} ms");
            return container.ExitCode;
        }
        finally
        {
            Directory.Delete(bundle, recursive: true);
        }
    }

    private static async Task WriteBundleAsync(string runcs, string bundle, ImageConfig config, string[] command, CancellationToken cancellationToken)
    {
        // runcs writes runc's default config.json; the image config then fills in the process.
        using (Process spec = Process.Start(new ProcessStartInfo(runcs) { ArgumentList = { "spec", "--bundle", bundle }, UseShellExecute = false })!)
        {
            await spec.WaitForExitAsync(cancellationToken);
            if (spec.ExitCode != 0)
            {
                throw new UnsupportedException($"runcs spec failed with exit code {spec.ExitCode}");
            }
        }

        string path = Path.Combine(bundle, "config.json");
        Spec runtimeSpec = await RuntimeSpecJson.ReadSpecFileAsync(path, cancellationToken);
        ContainerConfig image = config.Config ?? new ContainerConfig();
        string[] args = command.Length > 0 ? command : [.. image.Entrypoint ?? [], .. image.Cmd ?? []];
        if (args.Length == 0)
        {
            throw new InvalidSpecException("config.Cmd", "the image names no command and none was given");
        }

        runtimeSpec.Process!.Args = args;
        runtimeSpec.Process.Terminal = false;
        runtimeSpec.Process.Env = image.Env is { Count: > 0 } env ? env : runtimeSpec.Process.Env;
        runtimeSpec.Process.Cwd = string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir;
        runtimeSpec.Root!.Path = "rootfs";
        runtimeSpec.Root.Readonly = false;
        await File.WriteAllBytesAsync(path, RuntimeSpecJson.Serialize(runtimeSpec), cancellationToken);
    }
}
