using Containers;
using Containers.Snapshots;

/// <summary>
/// <c>sync-probe overlay|native ROOT</c>: runs one of each snapshot operation and writes a line
/// <c>@@sync-probe &lt;operation&gt;</c> to stdout after each, so a test running it under
/// <c>strace -e trace=fsync,fdatasync,write</c> can count the fsyncs each operation made. A warm-up round comes
/// first: it creates the database and its log, whose first writes are synced whatever the operation.
/// </summary>
internal static class SyncProbeCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        if (arguments is not [var kind, var root])
        {
            await Console.Error.WriteLineAsync("usage: crash-helper sync-probe overlay|native ROOT").ConfigureAwait(false);
            return 2;
        }

        await using ISnapshotter snapshotter = kind == "overlay" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
        await snapshotter.PrepareAsync("base-active", null).ConfigureAwait(false);
        await snapshotter.CommitAsync("base", "base-active").ConfigureAwait(false);
        await snapshotter.PrepareAsync("warm", "base").ConfigureAwait(false);
        await snapshotter.RemoveAsync("warm").ConfigureAwait(false);
        await MarkAsync("warm-up").ConfigureAwait(false);

        await snapshotter.PrepareAsync("container", "base").ConfigureAwait(false);
        await MarkAsync("prepare").ConfigureAwait(false);
        await snapshotter.MountsAsync("container").ConfigureAwait(false);
        await MarkAsync("mounts").ConfigureAwait(false);
        await snapshotter.RemoveAsync("container").ConfigureAwait(false);
        await MarkAsync("remove-active").ConfigureAwait(false);
        await snapshotter.ViewAsync("view", "base").ConfigureAwait(false);
        await MarkAsync("view").ConfigureAwait(false);
        await snapshotter.RemoveAsync("view").ConfigureAwait(false);
        await MarkAsync("remove-view").ConfigureAwait(false);
        await snapshotter.PrepareAsync("layer-active", "base").ConfigureAwait(false);
        await MarkAsync("prepare-layer").ConfigureAwait(false);
        await snapshotter.CommitAsync("layer", "layer-active").ConfigureAwait(false);
        await MarkAsync("commit").ConfigureAwait(false);
        await snapshotter.UpdateAsync(new SnapshotInfo(SnapshotKind.Committed, "layer") { Labels = new Dictionary<string, string> { ["k"] = "v" } }).ConfigureAwait(false);
        await MarkAsync("update").ConfigureAwait(false);
        await snapshotter.RemoveAsync("layer").ConfigureAwait(false);
        await MarkAsync("remove-committed").ConfigureAwait(false);
        return 0;
    }

    private static async Task MarkAsync(string operation)
    {
        await Console.Out.WriteLineAsync("@@sync-probe " + operation).ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);
    }
}
