using Containers;
using Containers.Diff;
using Containers.Snapshots.Apply;

/// <summary>
/// <c>apply ROOT LAYER...</c>: applies layer files (plain or compressed) in order into ROOT with deletions for
/// whiteouts and device nodes allowed, as the unpacker does, and prints each diff id, skipped count and note; a refused layer prints its
/// error's type, reason and message to stderr and exits 3. The rootless test runs it as an unprivileged user
/// inside a user namespace, a process no managed host may become itself (DESIGN §2).
/// </summary>
internal static class ApplyCommand
{
    public static async Task<int> RunAsync(string root, IEnumerable<string> layerPaths)
    {
        var options = new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Delete, AllowDeviceNodes = true };
        try
        {
            foreach (string layerPath in layerPaths)
            {
                await using FileStream layer = File.OpenRead(layerPath);
                LayerApplyResult result = await new LayerApplier().ApplyAsync(layer, root, options).ConfigureAwait(false);
                Console.WriteLine($"diffid {result.DiffId}");
                Console.WriteLine($"skipped {result.SkippedEntries}");
                foreach (string note in result.Notes)
                {
                    Console.WriteLine($"note {note}");
                }
            }

            return 0;
        }
        catch (InvalidLayerException e)
        {
            await Console.Error.WriteLineAsync($"{nameof(InvalidLayerException)} {e.Reason} {e.Message}").ConfigureAwait(false);
            return 3;
        }
    }
}
