using System.Globalization;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// A real kill -9: a helper process runs snapshot operations in a loop and is SIGKILLed after a random
/// number of rounds (so at a random point inside Prepare, Commit, View or Remove), five times over the
/// same root. After each kill the store must open, <see cref="ISnapshotter.CleanupAsync"/> must leave one
/// directory per record and a record for every directory, and the snapshotter must keep working.
/// </summary>
[TestFixture("overlay")]
[TestFixture("native")]
[NonParallelizable]
public sealed class KillNineTests(string kind)
{
    [Test]
    public async Task StoreIsConsistentAfterKillNine()
    {
        using var temp = new TempDirectory("snap-kill-");
        string root = temp.Combine("root");
        string helper = Path.Combine(AppContext.BaseDirectory, "Containers.Snapshots.CrashHelper.dll");
        Assert.That(File.Exists(helper), Is.True, helper);
        for (int round = 0; round < 5; round++)
        {
            await KillNine.RunThenKillAsync(helper, [kind, root], Random.Shared.Next(1, 25));

            await using ISnapshotter snapshotter = kind == "overlay" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
            await snapshotter.CleanupAsync();
            var names = new List<string>();
            await foreach (SnapshotInfo info in snapshotter.WalkAsync())
            {
                names.Add(info.Name);
                if (info.Parent is not null)
                {
                    Assert.That((await snapshotter.StatAsync(info.Parent)).Kind, Is.EqualTo(SnapshotKind.Committed));
                }
            }

            string[] directories = Directory.GetDirectories(Path.Combine(root, "snapshots")).Select(d => Path.GetFileName(d)!).ToArray();
            Assert.That(directories, Has.All.Matches<string>(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out _)), "no new-* or rm-* left");
            Assert.That(directories, Has.Length.EqualTo(names.Count), $"one directory per record after kill {round}");
            foreach (string name in names)
            {
                SnapshotInfo info = await snapshotter.StatAsync(name);
                if (info.Kind != SnapshotKind.Committed)
                {
                    await snapshotter.RemoveAsync(name);
                }
            }

            // Still usable: a new snapshot on the latest committed one.
            string? top = null;
            await foreach (SnapshotInfo info in snapshotter.WalkAsync(["kind==committed"]))
            {
                top = info.Name;
            }

            await snapshotter.PrepareAsync("after-" + round, top);
            await snapshotter.RemoveAsync("after-" + round);
        }
    }
}
