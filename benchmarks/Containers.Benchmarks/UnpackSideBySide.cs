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
/// Usage: <c>unpack-import &lt;OCI layout&gt; &lt;store&gt;</c> imports the layout into a content store once (untimed: a
/// user's <c>unpack</c> finds the image already pulled, as umoci finds its layout); then
/// <c>unpack &lt;store&gt; &lt;work directory&gt; overlayfs|native [repeat]</c> opens that store and each repeat unpacks into a
/// new snapshotter root under the work directory and prints its milliseconds (the first one cold: JIT); each root but
/// the last is removed (the last one by the script, untimed, as it removes umoci's and tar's trees).
/// </summary>
internal static class UnpackSideBySide
{
    public static async Task<int> ImportAsync(string[] args)
    {
        if (args.Length != 3)
        {
            await Console.Error.WriteLineAsync("usage: unpack-import <layout> <store>").ConfigureAwait(false);
            return 2;
        }

        LocalContentStore content = new(args[2]);
        SqliteImageStore images = new(Path.Combine(args[2], "metadata.db"));
        await new OciLayoutImporter(content, images).ImportDirectoryAsync(args[1], new OciImportOptions { BaseName = "bench/unpack" }).ConfigureAwait(false);
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 4 or > 5 || args[3] is not ("overlayfs" or "native"))
        {
            await Console.Error.WriteLineAsync("usage: unpack <store> <work> overlayfs|native [repeat]").ConfigureAwait(false);
            return 2;
        }

        UnpackPhaseLog? phases = UnpackPhaseLog.FromEnvironment();
        phases?.Mark("main");
        // UNPACK_AHEAD_MIB: decompress the next layer up to this many MiB ahead of its apply (0 or unset: off).
        long aheadMib = long.TryParse(Environment.GetEnvironmentVariable("UNPACK_AHEAD_MIB"), CultureInfo.InvariantCulture, out long mib) ? mib : 0;
        var options = new UnpackOptions { DecompressAheadBytes = aheadMib << 20 };
        int repeat = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        string work = args[2];
        LocalContentStore content = new(args[1]);
        SqliteImageStore images = new(Path.Combine(args[1], "metadata.db"));
        Image? image = null;
        await foreach (Image candidate in images.ListAsync().ConfigureAwait(false))
        {
            image = candidate;
        }

        if (image is null)
        {
            await Console.Error.WriteLineAsync($"no image in {args[1]}: run unpack-import first").ConfigureAwait(false);
            return 2;
        }

        phases?.Mark("image store opened");

        Directory.CreateDirectory(work);
        for (int i = 0; i < repeat; i++)
        {
            string root = Path.Combine(work, "snapshots-" + i.ToString(CultureInfo.InvariantCulture));
            Stopwatch watch = Stopwatch.StartNew();
            ISnapshotter snapshotter = args[3] == "overlayfs" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
            await using (snapshotter.ConfigureAwait(false))
            {
                UnpackResult result = await new Unpacker(content, snapshotter, args[3]).UnpackAsync(image, options, phases).ConfigureAwait(false);
                watch.Stop();
                phases?.Mark("unpacked");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalMilliseconds:F1} {result.Applied}"));
            }

            // The last tree is left for the script to remove outside the timing, as it does umoci's and tar's.
            if (i + 1 < repeat)
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return 0;
    }
}
