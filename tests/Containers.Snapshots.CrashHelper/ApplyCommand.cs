using Containers;
using Containers.Diff;
using Containers.Snapshots.Apply;

/// <summary>
/// <c>apply [--overlay-userxattr] [--record-owners] ROOT LAYER...</c>: applies layer files (plain or compressed) in
/// order into ROOT with deletions for whiteouts (or, with <c>--overlay-userxattr</c>, as the upper directory of a
/// userxattr overlay) and device nodes allowed, as the unpacker does, and prints each diff id, skipped count and note;
/// <c>--record-owners</c> records unmapped owners in <c>user.rootlesscontainers</c>. A refused layer prints its
/// error's type, reason and message to stderr and exits 3. The rootless tests run it as an unprivileged user inside
/// a user namespace, a process no managed host may become itself (DESIGN §2).
/// </summary>
internal static class ApplyCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        List<string> rest = [.. arguments];
        bool overlay = rest.Remove("--overlay-userxattr");
        bool record = rest.Remove("--record-owners");
        if (rest is not [var root, .. var layerPaths] || layerPaths.Count == 0)
        {
            await Console.Error.WriteLineAsync("usage: crash-helper apply [--overlay-userxattr] [--record-owners] ROOT LAYER...").ConfigureAwait(false);
            return 2;
        }

        var options = new LayerApplyOptions
        {
            WhiteoutMode = overlay ? WhiteoutMode.OverlayUserXattr : WhiteoutMode.Delete,
            AllowDeviceNodes = true,
            RecordUnmappedOwners = record,
        };
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
