using System.Text;
using Containers.Diff;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Mounting;
using Containers.Snapshots.Tests.Apply;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Integration;

/// <summary>
/// Unpacks a busybox image plus two layers with whiteouts, an opaque directory and a hard link into each
/// snapshotter the way containerd's unpacker does (prepare on the previous chain id, apply, commit under
/// the layer's chain id), mounts the result and checks it — and runs busybox from it.
/// </summary>
[NonParallelizable]
public sealed class BusyboxUnpackTests
{
    private TempDirectory _temp = null!;
    private readonly List<string> _mounted = [];

    [SetUp]
    public void SetUp()
    {
        if (!File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
        {
            Assert.Ignore("needs root to mount");
        }

        TestHost.RequireTool(BusyboxRootfs.BusyboxPath, "busybox-static");
        _temp = new TempDirectory("snap-unpack-");
    }

    [TearDown]
    public void TearDown()
    {
        foreach (string target in Enumerable.Reverse(_mounted))
        {
            MountHelper.Unmount(target);
        }

        _mounted.Clear();
        _temp?.Dispose();
    }

    [Test]
    public async Task OverlayAndNativeUnpackTheSameTree()
    {
        List<byte[]> layers = await BuildLayersAsync();
        await using var overlay = new OverlaySnapshotter(_temp.Combine("overlay"));
        await using var native = new NativeSnapshotter(_temp.Combine("native"));
        string overlayRoot = await UnpackAndViewAsync(overlay, layers, WhiteoutMode.Overlay, "overlay-view");
        string nativeRoot = await UnpackAndViewAsync(native, layers, WhiteoutMode.Delete, "native-view");

        foreach (string root in new[] { overlayRoot, nativeRoot })
        {
            Assert.That(File.ReadAllBytes(Path.Combine(root, "bin/busybox")), Is.EqualTo(File.ReadAllBytes(BusyboxRootfs.BusyboxPath)), root);
            RootChecks.NotExists(root, "/etc/motd");
            RootChecks.NotExists(root, "/data/a");
            RootChecks.NotExists(root, "/data/b");
            RootChecks.FileValue(root, "/data/c", "layer three\n");
            RootChecks.FileValue(root, "/etc/hostname", "unpacked\n");
            RootChecks.SameFile(root, "/etc/hostname", "/etc/hostname.link");
            ToolResult run = await Tool.RunAsync("chroot", [root, "/bin/busybox", "cat", "/data/c"]);
            Assert.That((run.ExitCode, run.StandardOutput), Is.EqualTo((0, "layer three\n")), run.StandardError);
        }

        Assert.That(TreeSnapshot.Capture(overlayRoot, withTimes: false), Is.EqualTo(TreeSnapshot.Capture(nativeRoot, withTimes: false)),
            "overlay (whiteouts in upper layers) and native (deletions) show the same tree");
    }

    private async Task<string> UnpackAndViewAsync(ISnapshotter snapshotter, List<byte[]> layers, WhiteoutMode mode, string name)
    {
        var applier = new LayerApplier();
        string? chainId = null;
        foreach (byte[] layer in layers)
        {
            string key = "extract-" + Guid.NewGuid().ToString("N");
            IReadOnlyList<Mounts.Mount> mounts = await snapshotter.PrepareAsync(key, chainId);
            var options = new LayerApplyOptions { WhiteoutMode = mode, AllowDeviceNodes = true };
            LayerApplyResult result;
            if (mode == WhiteoutMode.Overlay)
            {
                // containerd's overlay fast path: straight into the upper directory.
                Assert.That(OverlaySnapshotter.TryGetUpperDirectory(mounts, out string? upper), Is.True);
                result = await applier.ApplyAsync(new MemoryStream(layer), upper!, options);
            }
            else
            {
                string target = _temp.Combine(name + "-apply");
                Directory.CreateDirectory(target);
                MountHelper.MountAll(mounts, target);
                _mounted.Add(target);
                try
                {
                    result = await applier.ApplyAsync(new MemoryStream(layer), target, options);
                }
                finally
                {
                    MountHelper.Unmount(target);
                    _mounted.Remove(target);
                }
            }

            string diffId = result.DiffId.ToString();
            chainId = chainId is null ? diffId : Digest.Compute(Encoding.UTF8.GetBytes(chainId + " " + diffId)).ToString();
            await snapshotter.CommitAsync(chainId, key);
        }

        SnapshotInfo top = await snapshotter.StatAsync(chainId!);
        Assert.That(top.Kind, Is.EqualTo(SnapshotKind.Committed));
        int depth = 0;
        for (SnapshotInfo? info = top; info is not null; info = info.Parent is null ? null : await snapshotter.StatAsync(info.Parent))
        {
            depth++;
        }

        Assert.That(depth, Is.EqualTo(layers.Count), "one committed snapshot per layer, chained by chain id");
        string view = _temp.Combine(name);
        Directory.CreateDirectory(view);
        MountHelper.MountAll(await snapshotter.ViewAsync(name, chainId), view);
        _mounted.Add(view);
        return view;
    }

    private async Task<List<byte[]>> BuildLayersAsync()
    {
        string layout = _temp.Combine("layout");
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(layout);
        byte[] busybox = File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", image.LayerDigests[0]["sha256:".Length..]));
        byte[] two = new TarBuilder()
            .Dir("data/")
            .File("data/a", "a\n")
            .File("data/b", "b\n")
            .File("etc/motd", "welcome\n")
            .File("etc/hostname", "unpacked\n")
            .Link("etc/hostname", "etc/hostname.link")
            .Build();
        byte[] three = new TarBuilder()
            .Dir("data/")
            .Whiteout("data/.wh..wh..opq")
            .File("data/c", "layer three\n")
            .Whiteout("etc/.wh.motd")
            .Build();
        return [busybox, two, three];
    }
}
