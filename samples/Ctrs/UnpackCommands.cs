using System.Security.Cryptography;
using System.Text;
using Containers.Content;
using Containers.Images;
using Containers.Snapshots;
using Containers.Snapshots.Mounting;
using Containers.Unpack;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs images unpack REF [--snapshotter S]</c>, <c>ctrs images mount REF DIR [--snapshotter S]</c> (a
/// read-only view of the image's top snapshot at DIR) and <c>ctrs images unmount DIR</c>.
/// </summary>
/// <remarks>
/// The view of a mount is a snapshot keyed after DIR (<c>ctrs-mount-&lt;sha256 of the full path&gt;</c>), so
/// <c>unmount</c> finds it again from the directory alone and a second mount at the same DIR is refused
/// (AlreadyExists) instead of leaking a view.
/// </remarks>
internal static class UnpackCommands
{
    /// <summary>Unpacks an image into a snapshotter, printing one line per layer.</summary>
    public static async Task<int> UnpackAsync(string root, CommandEvents events, IContentStore content, IImageStore images, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        (string name, string[] rest) = SnapshotsCommands.TakeSnapshotter(args);
        if (rest.Length != 1)
        {
            return usage("usage: images unpack [--snapshotter overlayfs|native] REF");
        }

        await using ISnapshotter snapshotter = SnapshotsCommands.Open(root, name, events);
        UnpackResult result = await UnpackImageAsync(content, images, snapshotter, name, rest[0], cancellationToken);
        Console.WriteLine($"{rest[0]}: unpacked into {name} as {result.TopChainId} ({result.Applied} applied, {result.Skipped} already present)");
        return 0;
    }

    /// <summary>Unpacks the image if needed and mounts a read-only view of it at DIR.</summary>
    public static async Task<int> MountAsync(string root, CommandEvents events, IContentStore content, IImageStore images, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        (string name, string[] rest) = SnapshotsCommands.TakeSnapshotter(args);
        if (rest.Length != 2)
        {
            return usage("usage: images mount [--snapshotter overlayfs|native] REF DIR");
        }

        string target = Path.GetFullPath(rest[1]);
        if (!Directory.Exists(target))
        {
            throw new NotFoundException("directory", target);
        }

        await using ISnapshotter snapshotter = SnapshotsCommands.Open(root, name, events);
        UnpackResult result = await UnpackImageAsync(content, images, snapshotter, name, rest[0], cancellationToken);
        string key = ViewKey(target);
        var mounts = await snapshotter.ViewAsync(key, result.TopChainId.ToString(), new Dictionary<string, string>(StringComparer.Ordinal) { ["ctrs/mount-target"] = target }, cancellationToken);
        try
        {
            MountHelper.MountAll(mounts, target);
        }
        catch
        {
            await snapshotter.RemoveAsync(key, CancellationToken.None);
            throw;
        }

        Console.WriteLine(target);
        return 0;
    }

    /// <summary>Unmounts DIR and removes the view snapshot it showed.</summary>
    public static async Task<int> UnmountAsync(string root, CommandEvents events, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        if (args.Length != 1)
        {
            return usage("usage: images unmount DIR");
        }

        string target = Path.GetFullPath(args[0]);
        string key = ViewKey(target);
        bool found = false;
        foreach (string name in SnapshotsCommands.Names)
        {
            if (!Directory.Exists(Path.Combine(root, "snapshots", name)))
            {
                continue;
            }

            await using ISnapshotter snapshotter = SnapshotsCommands.Open(root, name, events);
            try
            {
                await snapshotter.StatAsync(key, cancellationToken);
            }
            catch (NotFoundException)
            {
                continue;
            }

            MountHelper.Unmount(target);
            await snapshotter.RemoveAsync(key, cancellationToken);
            found = true;
        }

        if (!found)
        {
            throw new NotFoundException("ctrs mount", target);
        }

        return 0;
    }

    private static async Task<UnpackResult> UnpackImageAsync(IContentStore content, IImageStore images, ISnapshotter snapshotter, string name, string reference, CancellationToken cancellationToken)
    {
        Image image = await images.GetAsync(reference, cancellationToken);
        IProgress<UnpackProgress> progress = new LineProgress();
        return await new Unpacker(content, snapshotter, name).UnpackAsync(image, progress: progress, cancellationToken: cancellationToken);
    }

    private static string ViewKey(string fullPath) =>
        "ctrs-mount-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)));

    private sealed class LineProgress : IProgress<UnpackProgress>
    {
        public void Report(UnpackProgress value)
        {
            if (value.State != UnpackLayerState.Applying)
            {
                Console.WriteLine($"{value.Layer.Digest}: {value.State.ToString().ToLowerInvariant()} ({value.Index + 1}/{value.Count})");
            }
        }
    }
}
