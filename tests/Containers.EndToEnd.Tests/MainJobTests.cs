using Containers.Content;
using Containers.Diff;
using Containers.Distribution;
using Containers.Images.Pull;
using Containers.Oci.Runtime;
using Containers.Registry;
using Containers.Snapshots.Apply;
using Containers.Testing;

namespace Containers.EndToEnd.Tests;

/// <summary>
/// The main job through the library: an image pushed to the real registry is pulled into a content
/// store, unpacked with the layer applier (diff ids checked), turned into a bundle and run by runcs;
/// the container's output and exit code come back.
/// </summary>
[NonParallelizable]
public sealed class MainJobTests
{
    [Test]
    public async Task Pull_unpack_and_run_an_image_end_to_end()
    {
        TestHost.RequireRoot("runs a container");
        string runcs = await RuncsPublisher.GetPathAsync();
        using TempDirectory dir = new();
        await using LocalRegistry registry = await LocalRegistry.StartAsync();
        string extra = dir.Combine("extra");
        OciTestImage.WriteFile(Path.Combine(extra, "etc", "greeting"), "hello from layer two\n");
        await OciTestImage.WriteBusyboxAsync(dir.Combine("layout"), "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(dir.Combine("layout"), "v1", registry, "e2e/busybox");

        using RegistryClient client = new();
        LocalContentStore store = new(dir.Combine("content"));
        PulledImage image = await new ImagePuller(client, store).PullAsync(ImageReference.Parse($"{registry.Host}/e2e/busybox:v1"));

        string bundle = dir.Combine("bundle");
        string rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(rootfs);
        LayerApplier applier = new();
        for (int i = 0; i < image.Layers.Count; i++)
        {
            await using IContentReader reader = await store.OpenReaderAsync(image.Layers[i]);
            await using Stream layer = reader.AsStream();
            LayerApplyResult applied = await applier.ApplyAsync(layer, rootfs, LayerApplyOptions.Default);
            Assert.That(applied.DiffId, Is.EqualTo(image.Config.RootFs.DiffIds[i]), $"layer {i} diff id");
        }

        (await Tool.RunAsync(runcs, ["spec", "--bundle", bundle])).EnsureSuccess("runcs spec");
        string configPath = Path.Combine(bundle, "config.json");
        Spec spec = await RuntimeSpecJson.ReadSpecFileAsync(configPath);
        spec.Process!.Args = ["sh", "-c", "cat /etc/greeting; echo \"pid=$$\"; exit 7"];
        spec.Process.Terminal = false;
        spec.Root!.Readonly = false;
        await File.WriteAllBytesAsync(configPath, RuntimeSpecJson.Serialize(spec));

        ToolResult run = await Tool.RunAsync(runcs, ["--root", dir.Combine("state"), "run", "--bundle", bundle, "e2e-" + Environment.ProcessId]);

        Assert.That(run.ExitCode, Is.EqualTo(7), run.StandardError);
        Assert.That(run.StandardOutput, Is.EqualTo("hello from layer two\npid=1\n"));
        Assert.That(Directory.EnumerateFileSystemEntries(dir.Combine("state")), Is.Empty, "runcs run leaves nothing in its state root");
    }
}
