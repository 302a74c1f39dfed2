using System.Diagnostics;
using System.Globalization;
using Containers.Content;
using Containers.Distribution;
using Containers.Images;
using Containers.Images.Layout;
using Containers.Images.Push;
using Containers.Registry;

namespace Containers.Benchmarks;

/// <summary>
/// Timed pushes for the side-by-side script (benchmarks/scripts/push-vs-skopeo.sh) that times
/// <c>skopeo copy oci:… docker://</c> the same way. Usage:
/// <c>push &lt;oci layout&gt; &lt;repository reference&gt; &lt;empty root directory&gt; [repeat]</c>. The layout is
/// imported into a content store first (not timed); then each push goes to a new repository
/// (<c>REF-N:v1</c>), so the registry has none of the blobs there. Prints the milliseconds and
/// compressed bytes of each push: the first cold (JIT, first connection), the others warm.
/// </summary>
internal static class PushSideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 4 or > 5)
        {
            await Console.Error.WriteLineAsync("usage: push <oci layout> <repository reference> <root> [repeat]").ConfigureAwait(false);
            return 2;
        }

        int repeat = args.Length == 5 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1;
        LocalContentStore store = new(Path.Combine(args[3], "content"), metadataDatabase: Path.Combine(args[3], "metadata.db"));
        SqliteImageStore images = new(Path.Combine(args[3], "metadata.db"));
        Image image = (await new OciLayoutImporter(store, images).ImportDirectoryAsync(args[1], new OciImportOptions { BaseName = "bench/push" }).ConfigureAwait(false))[0];
        for (int i = 0; i < repeat; i++)
        {
            Stopwatch watch = Stopwatch.StartNew();
            using RegistryClient client = new();
            PushedImage pushed = await new ImagePusher(client, store)
                .PushAsync(ImageReference.Parse($"{args[2]}-{i.ToString(CultureInfo.InvariantCulture)}:v1"), image.Target).ConfigureAwait(false);
            watch.Stop();
            long bytes = 0;
            await foreach (ContentInfo info in store.WalkAsync().ConfigureAwait(false))
            {
                bytes += info.Size;
            }

            Console.WriteLine($"{watch.Elapsed.TotalMilliseconds:F1} {bytes} {pushed.UploadedBlobs}");
        }

        return 0;
    }
}
