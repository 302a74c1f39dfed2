using System.Diagnostics;
using System.Globalization;
using Containers.Content;
using Containers.Images;
using Containers.Images.Layout;
using Containers.Snapshots;
using Containers.Unpack;

namespace Containers.Benchmarks;

/// <summary>
/// Timed unpacks of one image into a fresh snapshotter, for benchmarks/scripts/unpack-vs-umoci.sh, which times
/// <c>umoci raw unpack</c> and <c>tar -xzf</c> of the same layers the same way.
/// Usage: <c>unpack &lt;OCI layout&gt; &lt;work directory&gt; overlayfs|native [repeat]</c>. The layout is imported into a
/// content store first (not timed); then each repeat unpacks into a new snapshotter root and prints its milliseconds
/// (the first one cold: JIT), and the root is removed.
/// </summary>
internal static class UnpackSideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 4 or > 5 || args[3] is not ("overlayfs" or "native"))
        {
            await Console.Error.WriteLineAsync("usage: unpack <layout> <work> overlayfs|native [repeat]").ConfigureAwait(false);
            return 2;
        }

        int repeat = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        string work = args[2];
        LocalContentStore content = new(Path.Combine(work, "content"));
        SqliteImageStore images = new(Path.Combine(work, "content", "metadata.db"));
        Image image = (await new OciLayoutImporter(content, images).ImportDirectoryAsync(args[1], new OciImportOptions { BaseName = "bench/unpack" }).ConfigureAwait(false)).First();
        for (int i = 0; i < repeat; i++)
        {
            string root = Path.Combine(work, "snapshots-" + i.ToString(CultureInfo.InvariantCulture));
            Stopwatch watch = Stopwatch.StartNew();
            ISnapshotter snapshotter = args[3] == "overlayfs" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
            await using (snapshotter.ConfigureAwait(false))
            {
                UnpackResult result = await new Unpacker(content, snapshotter, args[3]).UnpackAsync(image).ConfigureAwait(false);
                watch.Stop();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalMilliseconds:F1} {result.Applied}"));
            }

            Directory.Delete(root, recursive: true);
        }

        return 0;
    }
}
