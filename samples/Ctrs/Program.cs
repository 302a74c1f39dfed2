using Containers;
using Containers.Content;
using Containers.Images;
using Containers.Images.Archive;
using Containers.Images.Layout;

namespace Containers.Samples.Ctrs;

/// <summary>
/// ctrs: a ctr-like command line. Usage:
/// <c>ctrs [--root DIR] [--state DIR] [--namespace NS] [--runcs PATH] images pull|push|ls|rm|export|import ... | content ls|get|rm DIGEST |
/// run … | tasks … | containers … | events</c> (see <see cref="Usage"/>).
/// Typed errors print one line and exit 1; usage errors exit 2.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        string root = "/var/lib/ctrs";
        string ns = "default";
        string state = "/run/ctrs";
        string runcs = "runcs";
        int i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            switch (args[i])
            {
                case "--root" when i + 1 < args.Length: root = args[++i]; break;
                case "--namespace" when i + 1 < args.Length: ns = args[++i]; break;
                case "--state" when i + 1 < args.Length: state = args[++i]; break;
                case "--runcs" when i + 1 < args.Length: runcs = args[++i]; break;
                default: return Usage($"unknown option {args[i]}");
            }
        }

        if (args.Length - i == 1 && args[i] == "gc")
        {
            using CancellationTokenSource gcCancel = new();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; gcCancel.Cancel(); };
            return await GcCommand.RunAsync(root, ns, gcCancel.Token);
        }

        if (args.Length - i < 2 && !(args.Length - i == 1 && args[i] == "events"))
        {
            return Usage("missing command");
        }

        using CancellationTokenSource cts = new();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            CtrsSettings settings = new(root, state, ns, runcs);
            switch (args[i])
            {
                case "run": return await RunCommand.RunAsync(settings, args[(i + 1)..], Usage, cts.Token);
                case "tasks" or "t" or "task": return await TasksCommands.RunAsync(settings, args[(i + 1)..], Usage, cts.Token);
                case "containers" or "c" or "container": return await ContainersCommands.RunAsync(settings, args[(i + 1)..], Usage, cts.Token);
                case "events": return await EventsCommand.RunAsync(settings, args[(i + 1)..], Usage, cts.Token);
            }

            Directory.CreateDirectory(root);
            // Every change these commands make is published and journaled, as the library's services would.
            await using CommandEvents events = CommandEvents.Start(root, ns);
            IContentStore content = events.Publishing(new LocalContentStore(Path.Combine(root, "content"), ns));
            IImageStore images = events.Publishing(new SqliteImageStore(Path.Combine(root, "metadata.db"), ns));
            string[] rest = args[(i + 2)..];
            return (args[i], args[i + 1]) switch
            {
                ("images" or "i", "pull") => await PullCommand.RunAsync(content, images, rest, cts.Token),
                ("images" or "i", "push") => await PushCommand.RunAsync(content, images, rest, cts.Token),
                ("images" or "i", "ls") => await ListImagesAsync(images, cts.Token),
                ("images" or "i", "rm") => await RemoveImagesAsync(images, rest, cts.Token),
                ("images" or "i", "inspect") => await InspectAsync(content, images, rest, cts.Token),
                ("images" or "i", "export") => await ExportAsync(content, images, rest, cts.Token),
                ("images" or "i", "import") => await ImportAsync(content, images, rest, cts.Token),
                ("content", "ls") => await ListContentAsync(content, cts.Token),
                ("content", "get") => await GetContentAsync(content, rest, cts.Token),
                ("content", "rm") => await RemoveContentAsync(content, rest, cts.Token),
                ("images" or "i", "unpack") => await UnpackCommands.UnpackAsync(root, events, content, images, rest, Usage, cts.Token),
                ("images" or "i", "mount") => await UnpackCommands.MountAsync(root, events, content, images, rest, Usage, cts.Token),
                ("images" or "i", "unmount") => await UnpackCommands.UnmountAsync(root, events, rest, Usage, cts.Token),
                ("snapshots" or "snapshot", _) => await SnapshotsCommands.RunAsync(root, events, args[(i + 1)..], Usage, cts.Token),
                _ => Usage($"unknown command {args[i]} {args[i + 1]}"),
            };
        }
        catch (ContainersException ex)
        {
            Console.Error.WriteLine($"ctrs: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"ctrs: {message}");
        Console.Error.WriteLine("usage: ctrs [--root DIR] [--state DIR] [--namespace NS] [--runcs PATH] images pull|push|ls|rm|export|import ... | content ls|get|rm ... | gc");
        Console.Error.WriteLine("       ctrs images unpack|mount REF [DIR] [--snapshotter overlayfs|native] | images unmount DIR");
        Console.Error.WriteLine("       ctrs run [--rm] [-d] [-i] [-t] [--env K=V] [--mount type=bind,src=S,dst=D,options=O:O] [--memory N] [--cpus N] [--pids N] [--user U] [--net none|host] [--runtime PATH] [--snapshotter overlayfs|native] IMAGE ID [ARGS...]");
        Console.Error.WriteLine("       ctrs tasks ls | kill [-s SIG] [--all] [--exec-id E] ID | exec --exec-id E [-d] [-t] [--env K=V] [--cwd D] ID ARGS... | attach [--exec-id E] ID | pause ID | resume ID | metrics ID | rm [-f] ID");
        Console.Error.WriteLine("       ctrs containers ls [FILTER...] | info ID | rm ID... | events [--follow]");
        Console.Error.WriteLine("       ctrs snapshots [--snapshotter overlayfs|native] ls|info KEY|usage [KEY]|rm KEY|mounts TARGET KEY");
        return 2;
    }

    private static async Task<int> ListImagesAsync(IImageStore images, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{"REF",-50} {"TYPE",-50} {"DIGEST",-71} {"SIZE",10}");
        await foreach (Image image in images.ListAsync(cancellationToken: cancellationToken))
        {
            Console.WriteLine($"{image.Name,-50} {image.Target.MediaType,-50} {image.Target.Digest,-71} {image.Target.Size,10}");
        }

        return 0;
    }

    private static async Task<int> RemoveImagesAsync(IImageStore images, string[] names, CancellationToken cancellationToken)
    {
        foreach (string name in names)
        {
            await images.DeleteAsync(name, cancellationToken: cancellationToken);
            Console.WriteLine(name);
        }

        return 0;
    }

    private static async Task<int> InspectAsync(IContentStore content, IImageStore images, string[] args, CancellationToken cancellationToken)
    {
        if (args.Length != 1)
        {
            return Usage("images inspect needs one reference");
        }

        // Like `ctr images inspect`'s document view: the target's own bytes (index or manifest) as stored.
        Image image = await images.GetAsync(args[0], cancellationToken);
        using IContentReader reader = await content.OpenReaderAsync(image.Target, cancellationToken);
        await using Stream output = Console.OpenStandardOutput();
        await reader.AsStream().CopyToAsync(output, cancellationToken);
        return 0;
    }

    private static async Task<int> ExportAsync(IContentStore content, IImageStore images, string[] args, CancellationToken cancellationToken)
    {
        (string format, string[] positional) = ParseFormat(args);
        if (positional.Length < 2 || format is not ("oci" or "docker-archive"))
        {
            return Usage("usage: images export [--format oci|docker-archive] FILE REF...");
        }

        List<Image> selected = [];
        foreach (string name in positional[1..])
        {
            selected.Add(await images.GetAsync(name, cancellationToken));
        }

        // Written beside the destination and renamed, so a failed export leaves no half-written archive.
        string temporary = positional[0] + ".ctrs-partial";
        try
        {
            await using (FileStream output = new(temporary, FileMode.Create, FileAccess.Write))
            {
                if (format == "oci")
                {
                    await new OciLayoutExporter(content).ExportToTarAsync(selected, output, cancellationToken: cancellationToken);
                }
                else
                {
                    await new DockerArchiveExporter(content).ExportAsync(selected, output, cancellationToken: cancellationToken);
                }
            }

            File.Move(temporary, positional[0], overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return 0;
    }

    private static async Task<int> ImportAsync(IContentStore content, IImageStore images, string[] args, CancellationToken cancellationToken)
    {
        (string format, string[] positional) = ParseFormat(args);
        if (positional.Length != 1 || format is not ("oci" or "docker-archive"))
        {
            return Usage("usage: images import [--format oci|docker-archive] FILE");
        }

        await using FileStream input = File.OpenRead(positional[0]);
        IReadOnlyList<Image> imported = format == "oci"
            ? await new OciLayoutImporter(content, images).ImportTarAsync(input, cancellationToken: cancellationToken)
            : await new DockerArchiveImporter(content, images).ImportAsync(input, cancellationToken: cancellationToken);
        foreach (Image image in imported)
        {
            Console.WriteLine($"{image.Name}: {image.Target.Digest}");
        }

        return 0;
    }

    private static (string Format, string[] Positional) ParseFormat(string[] args)
    {
        string format = "oci";
        List<string> positional = [];
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--format" && i + 1 < args.Length)
            {
                format = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return (format, [.. positional]);
    }

    private static async Task<int> ListContentAsync(IContentStore content, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{"DIGEST",-71} {"SIZE",10} LABELS");
        await foreach (ContentInfo info in content.WalkAsync(cancellationToken: cancellationToken))
        {
            string labels = string.Join(",", info.Labels.Select(l => $"{l.Key}={l.Value}"));
            Console.WriteLine($"{info.Digest,-71} {info.Size,10} {(labels.Length == 0 ? "-" : labels)}");
        }

        return 0;
    }

    private static async Task<int> GetContentAsync(IContentStore content, string[] args, CancellationToken cancellationToken)
    {
        if (args.Length != 1)
        {
            return Usage("content get needs one digest");
        }

        using IContentReader reader = await content.OpenReaderAsync(Digest.Parse(args[0]), cancellationToken);
        await using Stream output = Console.OpenStandardOutput();
        await reader.AsStream().CopyToAsync(output, cancellationToken);
        return 0;
    }

    private static async Task<int> RemoveContentAsync(IContentStore content, string[] digests, CancellationToken cancellationToken)
    {
        foreach (string digest in digests)
        {
            await content.DeleteAsync(Digest.Parse(digest), cancellationToken);
            Console.WriteLine(digest);
        }

        return 0;
    }
}
