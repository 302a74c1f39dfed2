using System.Globalization;
using System.Text.Json;
using Containers.Mounts;
using Containers.Snapshots;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs snapshots [--snapshotter overlayfs|native] ls | info KEY | usage [KEY] | rm KEY | mounts TARGET KEY</c>,
/// as <c>ctr snapshots</c>. Snapshotters live under <c>ROOT/snapshots/&lt;name&gt;</c>.
/// </summary>
internal static class SnapshotsCommands
{
    /// <summary>The snapshotters ctrs knows, by the names containerd gives them.</summary>
    public static readonly string[] Names = ["overlayfs", "native"];

    /// <summary>overlayfs where the kernel has it, else native.</summary>
    public static string DefaultName => OverlaySnapshotter.IsSupported() ? "overlayfs" : "native";

    /// <summary>Opens the snapshotter <paramref name="name"/> under <paramref name="root"/>, publishing its changes on <paramref name="events"/>.</summary>
    public static ISnapshotter Open(string root, string name, CommandEvents events) => events.Publishing(name switch
    {
        "overlayfs" => new OverlaySnapshotter(Path.Combine(root, "snapshots", name)),
        "native" => new NativeSnapshotter(Path.Combine(root, "snapshots", name)),
        _ => throw new InvalidSpecException("--snapshotter", $"unknown snapshotter \"{name}\" (overlayfs or native)"),
    }, name);

    /// <summary>Takes <c>--snapshotter S</c> out of <paramref name="args"/>; the default when absent.</summary>
    public static (string Name, string[] Remaining) TakeSnapshotter(string[] args)
    {
        List<string> rest = [];
        string name = DefaultName;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--snapshotter" && i + 1 < args.Length)
            {
                name = args[++i];
            }
            else if (args[i].StartsWith("--snapshotter=", StringComparison.Ordinal))
            {
                name = args[i]["--snapshotter=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return (name, [.. rest]);
    }

    /// <summary>Runs <c>snapshots …</c>; <paramref name="args"/> starts after the word <c>snapshots</c>.</summary>
    public static async Task<int> RunAsync(string root, CommandEvents events, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        (string name, string[] rest) = TakeSnapshotter(args);
        if (rest.Length == 0)
        {
            return usage("snapshots needs ls, info, usage, rm or mounts");
        }

        await using ISnapshotter snapshotter = Open(root, name, events);
        return (rest[0], rest.Length) switch
        {
            ("ls" or "list", 1) => await ListAsync(snapshotter, cancellationToken),
            ("info", 2) => await InfoAsync(snapshotter, rest[1], cancellationToken),
            ("usage", 1 or 2) => await UsageAsync(snapshotter, rest.Length == 2 ? rest[1] : null, cancellationToken),
            ("rm" or "remove", >= 2) => await RemoveAsync(snapshotter, rest[1..], cancellationToken),
            ("mounts", 3) => await MountsAsync(snapshotter, rest[1], rest[2], cancellationToken),
            _ => usage("usage: snapshots [--snapshotter overlayfs|native] ls | info KEY | usage [KEY] | rm KEY... | mounts TARGET KEY"),
        };
    }

    private static async Task<int> ListAsync(ISnapshotter snapshotter, CancellationToken cancellationToken)
    {
        List<SnapshotInfo> all = [];
        await foreach (SnapshotInfo info in snapshotter.WalkAsync(cancellationToken: cancellationToken))
        {
            all.Add(info);
        }

        int width = Math.Max(3, all.Count == 0 ? 0 : all.Max(s => s.Name.Length));
        int parentWidth = Math.Max(6, all.Count == 0 ? 0 : all.Max(s => s.Parent?.Length ?? 0));
        Console.WriteLine($"{"KEY".PadRight(width)} {"PARENT".PadRight(parentWidth)} KIND");
        foreach (SnapshotInfo info in all.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            Console.WriteLine($"{info.Name.PadRight(width)} {(info.Parent ?? string.Empty).PadRight(parentWidth)} {info.Kind}");
        }

        return 0;
    }

    private static async Task<int> InfoAsync(ISnapshotter snapshotter, string key, CancellationToken cancellationToken)
    {
        SnapshotInfo info = await snapshotter.StatAsync(key, cancellationToken);
        // ctr's JSON shape (Kind, Name, Parent, Labels, Created, Updated).
        using Utf8JsonWriter json = new(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("Kind", info.Kind.ToString());
        json.WriteString("Name", info.Name);
        if (info.Parent is not null)
        {
            json.WriteString("Parent", info.Parent);
        }

        json.WriteStartObject("Labels");
        foreach ((string k, string v) in info.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            json.WriteString(k, v);
        }

        json.WriteEndObject();
        json.WriteString("Created", info.CreatedAt);
        json.WriteString("Updated", info.UpdatedAt);
        json.WriteEndObject();
        json.Flush();
        Console.WriteLine();
        return 0;
    }

    private static async Task<int> UsageAsync(ISnapshotter snapshotter, string? key, CancellationToken cancellationToken)
    {
        List<string> keys = [];
        if (key is not null)
        {
            keys.Add(key);
        }
        else
        {
            await foreach (SnapshotInfo info in snapshotter.WalkAsync(cancellationToken: cancellationToken))
            {
                keys.Add(info.Name);
            }
        }

        Console.WriteLine("KEY\tSIZE\tINODES");
        foreach (string k in keys.Order(StringComparer.Ordinal))
        {
            SnapshotUsage usage = await snapshotter.UsageAsync(k, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k}\t{usage.Size}\t{usage.Inodes}"));
        }

        return 0;
    }

    private static async Task<int> RemoveAsync(ISnapshotter snapshotter, string[] keys, CancellationToken cancellationToken)
    {
        foreach (string key in keys)
        {
            await snapshotter.RemoveAsync(key, cancellationToken);
        }

        return 0;
    }

    private static async Task<int> MountsAsync(ISnapshotter snapshotter, string target, string key, CancellationToken cancellationToken)
    {
        // Like `ctr snapshots mounts`: the mount(8) commands that would mount the snapshot at TARGET.
        foreach (Mount mount in await snapshotter.MountsAsync(key, cancellationToken))
        {
            string at = mount.Target is null ? target : Path.Combine(target, mount.Target.TrimStart('/'));
            string options = mount.Options.Count == 0 ? string.Empty : " -o " + string.Join(',', mount.Options);
            Console.WriteLine($"mount -t {mount.Type} {mount.Source} {at}{options}");
        }

        return 0;
    }
}
