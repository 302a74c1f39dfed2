using System.Diagnostics;
using Containers.Content;
using Containers.Distribution;
using Containers.Images;
using Containers.Images.Pull;
using Containers.Registry;

namespace Containers.Benchmarks;

/// <summary>
/// One timed pull into a fresh content store and image store, for the side-by-side script
/// (benchmarks/scripts/pull-vs-skopeo.sh) that times <c>skopeo copy docker://… oci:</c> the same way.
/// Usage: <c>pull &lt;reference&gt; &lt;empty root directory&gt; [repeat]</c>; prints the milliseconds and
/// compressed bytes of each pull, the first one cold (JIT, first connection), the others warm, each
/// into a fresh store under the root.
/// </summary>
internal static class PullSideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 3 or > 4)
        {
            await Console.Error.WriteLineAsync("usage: pull <reference> <root> [repeat]").ConfigureAwait(false);
            return 2;
        }

        int repeat = args.Length == 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1;
        for (int i = 0; i < repeat; i++)
        {
            string root = Path.Combine(args[2], i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Stopwatch watch = Stopwatch.StartNew();
            LocalContentStore store = new(Path.Combine(root, "content"), metadataDatabase: Path.Combine(root, "metadata.db"));
            SqliteImageStore images = new(Path.Combine(root, "metadata.db"));
            using RegistryClient client = new();
            PulledImage pulled = await new ImagePuller(client, store, images).PullAsync(ImageReference.Parse(args[1])).ConfigureAwait(false);
            watch.Stop();
            Console.WriteLine($"{watch.Elapsed.TotalMilliseconds:F1} {pulled.Layers.Sum(l => l.Size)}");
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }
}
