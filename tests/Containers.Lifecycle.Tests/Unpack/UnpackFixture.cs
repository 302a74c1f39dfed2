using System.Text.Json.Nodes;
using Containers.Content;
using Containers.Images;
using Containers.Images.Layout;
using Containers.Snapshots;
using Containers.Snapshots.Mounting;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Unpack;

/// <summary>A content store and image store in a temporary root, images imported from OCI layouts, and view mounts undone at the end.</summary>
internal sealed class UnpackFixture : IAsyncDisposable
{
    private readonly List<string> _mounts = [];
    private readonly List<ISnapshotter> _snapshotters = [];

    public UnpackFixture()
    {
        Temp = new TempDirectory("unpack-test-");
        Content = new LocalContentStore(Temp.Combine("content"));
        Images = new SqliteImageStore(Temp.Combine("content", "metadata.db"));
    }

    public TempDirectory Temp { get; }

    public LocalContentStore Content { get; }

    public SqliteImageStore Images { get; }

    public async Task<Image> ImportAsync(string layout)
    {
        IReadOnlyList<Image> images = await new OciLayoutImporter(Content, Images).ImportDirectoryAsync(layout, new OciImportOptions { BaseName = "test/image" });
        return images.Single();
    }

    public ISnapshotter Snapshotter(string name, string? root = null)
    {
        root ??= Temp.Combine("snapshots", name);
        ISnapshotter snapshotter = name == "overlayfs" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);
        _snapshotters.Add(snapshotter);
        return snapshotter;
    }

    /// <summary>Mounts a read-only view of <paramref name="chainId"/> and returns where.</summary>
    public async Task<string> MountViewAsync(ISnapshotter snapshotter, string chainId, string name)
    {
        string target = Temp.Combine("views", name);
        Directory.CreateDirectory(target);
        MountHelper.MountAll(await snapshotter.ViewAsync("view-" + name, chainId), target);
        _mounts.Add(target);
        return target;
    }

    /// <summary>Every snapshot of <paramref name="snapshotter"/>.</summary>
    public static async Task<List<SnapshotInfo>> WalkAsync(ISnapshotter snapshotter)
    {
        List<SnapshotInfo> all = [];
        await foreach (SnapshotInfo info in snapshotter.WalkAsync())
        {
            all.Add(info);
        }

        return all;
    }

    /// <summary>Rewrites the config of the layout's only image with <paramref name="edit"/> and re-links manifest and index.</summary>
    public static void EditConfig(string layout, Action<JsonObject> edit)
    {
        string blobs = Path.Combine(layout, "blobs", "sha256");
        JsonObject index = JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "index.json")))!.AsObject();
        JsonObject manifestRef = index["manifests"]![0]!.AsObject();
        JsonObject manifest = JsonNode.Parse(File.ReadAllBytes(Path.Combine(blobs, manifestRef["digest"]!.GetValue<string>()["sha256:".Length..])))!.AsObject();
        JsonObject configRef = manifest["config"]!.AsObject();
        JsonObject config = JsonNode.Parse(File.ReadAllBytes(Path.Combine(blobs, configRef["digest"]!.GetValue<string>()["sha256:".Length..])))!.AsObject();
        edit(config);
        (configRef["digest"], configRef["size"]) = WriteBlob(blobs, config);
        (manifestRef["digest"], manifestRef["size"]) = WriteBlob(blobs, manifest);
        File.WriteAllText(Path.Combine(layout, "index.json"), index.ToJsonString());
    }

    private static (JsonNode Digest, JsonNode Size) WriteBlob(string blobs, JsonObject document)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(document.ToJsonString());
        Digest digest = Digest.Compute(bytes);
        File.WriteAllBytes(Path.Combine(blobs, digest.Encoded), bytes);
        return (JsonValue.Create(digest.ToString()), JsonValue.Create(bytes.LongLength));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string target in Enumerable.Reverse(_mounts))
        {
            MountHelper.Unmount(target);
        }

        foreach (ISnapshotter snapshotter in _snapshotters)
        {
            await snapshotter.DisposeAsync();
        }

        Temp.Dispose();
    }
}
