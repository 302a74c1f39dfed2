using Containers.Diff;
using Containers.Snapshots.Diff;

/// <summary>
/// <c>diff [--rootless-owners] UPPER OUT</c>: writes the layer of an overlay upper directory (or a base tree) to OUT
/// and prints its diff id, so a test can read back, inside a user namespace, what the applier wrote there.
/// </summary>
internal static class DiffCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        List<string> rest = [.. arguments];
        bool rootlessOwners = rest.Remove("--rootless-owners");
        if (rest is not [var upper, var output])
        {
            await Console.Error.WriteLineAsync("usage: crash-helper diff [--rootless-owners] UPPER OUT").ConfigureAwait(false);
            return 2;
        }

        await using FileStream destination = File.Create(output);
        LayerApplyResult result = await new LayerDiffer { RootlessOwners = rootlessOwners }.DiffAsync(null, upper, destination).ConfigureAwait(false);
        Console.WriteLine($"diffid {result.DiffId}");
        return 0;
    }
}
