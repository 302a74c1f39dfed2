// Runs Prepare / Commit / View / Remove on a snapshotter forever, printing each finished round, so a test
// can kill -9 it at arbitrary points and check what the store looks like afterwards. With "apply" or "diff", applies
// layers (ApplyCommand) or writes a diff (DiffCommand), for the rootless tests that run it inside a user namespace.
// With "sync-probe", runs one of each operation with a marker line after each (SyncProbeCommand), for counting fsyncs.
using System.Globalization;
using Containers.Snapshots;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

if (args is ["apply", .. var applyArguments])
{
    return await ApplyCommand.RunAsync(applyArguments);
}

if (args is ["diff", .. var diffArguments])
{
    return await DiffCommand.RunAsync(diffArguments);
}

if (args is ["sync-probe", .. var probeArguments])
{
    return await SyncProbeCommand.RunAsync(probeArguments);
}

if (args is not [var kind, var root])
{
    Console.Error.WriteLine("usage: crash-helper overlay|native ROOT | crash-helper apply [--overlay-userxattr] [--record-owners] ROOT LAYER... | crash-helper diff [--rootless-owners] UPPER OUT | crash-helper sync-probe overlay|native ROOT");
    return 2;
}

await using ISnapshotter snapshotter = kind == "overlay" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
string run = Guid.NewGuid().ToString("N")[..8];
string? parent = null;
for (int i = 0; ; i++)
{
    string n = run + "-" + i.ToString(CultureInfo.InvariantCulture);
    await snapshotter.PrepareAsync(n + "-a", parent, new Dictionary<string, string> { ["round"] = n });
    await snapshotter.CommitAsync(n, n + "-a");
    await snapshotter.ViewAsync(n + "-v", n);
    await snapshotter.RemoveAsync(n + "-v");
    if (parent is not null && i % 3 == 0)
    {
        await snapshotter.PrepareAsync(n + "-x", n);
        await snapshotter.RemoveAsync(n + "-x");
    }

    parent = n;
    Console.WriteLine(n);
    Console.Out.Flush();
}
