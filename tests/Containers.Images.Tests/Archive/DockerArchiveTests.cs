using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Images.Archive;
using Containers.Images.Layout;
using Containers.Images.Tests.Layout;
using Containers.Oci.Image;
using Containers.Testing;

namespace Containers.Images.Tests.Archive;

/// <summary>
/// docker-archive export and import with skopeo as the oracle, and hostile archives that must be
/// refused with nothing committed.
/// </summary>
[NonParallelizable]
public sealed class DockerArchiveTests
{
    private TwoTestImages _images = null!;

    [OneTimeSetUp]
    public async Task BuildImagesAsync() => _images = await TwoTestImages.BuildAsync();

    [OneTimeTearDown]
    public void Cleanup() => _images.Dispose();

    private Task<(ImageStores Stores, Image First, Image Second)> PopulateAsync() => _images.PopulateAsync();

    [Test]
    public async Task Export_is_read_by_skopeo_with_the_same_layers_and_config()
    {
        (ImageStores stores, Image first, Image second) = await PopulateAsync();
        using (stores)
        {
            using TempDirectory output = new();
            string archive = output.Combine("images.tar");
            await using (FileStream file = File.Create(archive))
            {
                await new DockerArchiveExporter(stores.Content).ExportAsync([first, second], file);
            }

            Assert.That(await Skopeo.DiffIdsAsync($"docker-archive:{archive}:example.com/test/busybox:v1"), Is.EqualTo(_images.First.DiffIds));
            Assert.That(await Skopeo.DiffIdsAsync($"docker-archive:{archive}:example.com/test/busybox:v2"), Is.EqualTo(_images.Second.DiffIds));
            string layout = output.Combine("layout");
            await Skopeo.CopyAsync($"docker-archive:{archive}:example.com/test/busybox:v2", $"oci:{layout}:v2");
            JsonNode manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", (await Skopeo.DigestAsync($"oci:{layout}:v2"))[7..])))!;
            Assert.That(manifest["config"]!["digest"]!.GetValue<string>(), Is.EqualTo(_images.Second.ConfigDigest), "the config travels unchanged");

            TestHost.RequireRoot("umoci unpack keeps owners only as root");
            string bundle = output.Combine("bundle");
            await Tool.RunCheckedAsync(Skopeo.UmociPath, "unpack", "--image", $"{layout}:v2", bundle);
            Assert.That(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")), Is.True);
            Assert.That(new FileInfo(Path.Combine(bundle, "rootfs", "data.bin")).Length, Is.EqualTo(TwoTestImages.ExtraFileSize));

            using TarReader reader = new(File.OpenRead(archive));
            List<string> names = [];
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }

            Assert.That(names, Does.Contain("manifest.json").And.Contain("repositories").And.Contain(_images.Second.ConfigDigest[7..] + ".json"));
            Assert.That(names.Count(n => n == _images.First.DiffIds[0][7..] + ".tar"), Is.EqualTo(1), "a layer shared by two images is written once");
        }
    }

    [Test]
    public async Task Imports_what_skopeo_writes()
    {
        using TempDirectory output = new();
        string archive = output.Combine("skopeo.tar");
        await Skopeo.CopyAsync($"oci:{_images.SecondLayout}:v2", $"docker-archive:{archive}:foo/bar:v2");

        using ImageStores stores = new();
        await using FileStream input = File.OpenRead(archive);
        Image image = (await new DockerArchiveImporter(stores.Content, stores.Images).ImportAsync(input)).Single();

        Assert.That(image.Name, Is.EqualTo("docker.io/foo/bar:v2"));
        Manifest manifest = ImageSpecJson.ParseManifest(await File.ReadAllBytesAsync(stores.Content.GetBlobPath(image.Target.Digest)));
        Assert.That(manifest.Config.Digest.ToString(), Is.EqualTo(_images.Second.ConfigDigest));
        Assert.That(manifest.Layers.Select(l => l.Digest.ToString()), Is.EqualTo(_images.Second.DiffIds), "uncompressed layers: digest = diff id");
        Assert.That(manifest.Layers.Select(l => l.MediaType), Is.All.EqualTo(MediaTypes.ImageLayer));
        Assert.That((await stores.Content.InfoAsync(image.Target.Digest)).Labels["containerd.io/gc.ref.content.config"], Is.EqualTo(_images.Second.ConfigDigest));
        Assert.That(await stores.Content.ListStatusesAsync(), Is.Empty, "no ingest left behind");

        // The imported image is whole: exported as an OCI layout, skopeo reads the same diff ids.
        string layout = output.Combine("layout");
        await new OciLayoutExporter(stores.Content).ExportToDirectoryAsync([image], layout);
        Assert.That(await Skopeo.DiffIdsAsync($"oci:{layout}:v2"), Is.EqualTo(_images.Second.DiffIds));
    }

    [Test]
    public async Task Our_export_imports_back_with_the_same_config_and_diff_ids()
    {
        (ImageStores stores, Image first, Image second) = await PopulateAsync();
        using (stores)
        {
            MemoryStream archive = new();
            await new DockerArchiveExporter(stores.Content).ExportAsync([first, second], archive);
            archive.Position = 0;

            using ImageStores target = new();
            IReadOnlyList<Image> images = await new DockerArchiveImporter(target.Content, target.Images).ImportAsync(archive);

            Assert.That(images.Select(i => i.Name), Is.EquivalentTo(new[] { first.Name, second.Name }));
            Image imported = images.Single(i => i.Name == second.Name);
            Manifest manifest = ImageSpecJson.ParseManifest(await File.ReadAllBytesAsync(target.Content.GetBlobPath(imported.Target.Digest)));
            Assert.That(manifest.Config.Digest.ToString(), Is.EqualTo(_images.Second.ConfigDigest));
            Assert.That(manifest.Layers.Select(l => l.Digest.ToString()), Is.EqualTo(_images.Second.DiffIds));
            Assert.That(imported.Target.Platform!.Architecture, Is.EqualTo(OciTestImage.HostArchitecture()));
        }
    }

    private async Task<T> ImportExpectingAsync<T>(TarBuilder tar) where T : Exception
    {
        using ImageStores stores = new();
        await using MemoryStream archive = tar.Build();
        T error = Assert.ThrowsAsync<T>(async () => await new DockerArchiveImporter(stores.Content, stores.Images).ImportAsync(archive))!;
        await stores.AssertEmptyAsync();
        return error;
    }

    /// <summary>A valid one-image docker-archive built by hand from the test image: (layer tar, config, manifest.json).</summary>
    private async Task<(byte[] Layer, byte[] Config)> ReadPartsAsync()
    {
        byte[] gz = await File.ReadAllBytesAsync(Path.Combine(_images.FirstLayout, "blobs", "sha256", _images.First.LayerDigests[0][7..]));
        using MemoryStream layer = new();
        await using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(gz), System.IO.Compression.CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(layer);
        }

        byte[] config = await File.ReadAllBytesAsync(Path.Combine(_images.FirstLayout, "blobs", "sha256", _images.First.ConfigDigest[7..]));
        return (layer.ToArray(), config);
    }

    private static byte[] ManifestJson(string config, params string[] layers) =>
        Encoding.UTF8.GetBytes(new JsonArray(new JsonObject
        {
            ["Config"] = config,
            ["RepoTags"] = new JsonArray("test/hostile:latest"),
            ["Layers"] = new JsonArray([.. layers.Select(l => (JsonNode)l!)]),
        }).ToJsonString());

    [Test]
    public async Task The_hand_built_archive_imports_including_a_legacy_layer_symlink()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        TarBuilder tar = new TarBuilder()
            .File("layer0.tar", layer)
            .Symlink("legacy/layer.tar", "../layer0.tar")
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "legacy/layer.tar"));
        using ImageStores stores = new();
        Image image = (await new DockerArchiveImporter(stores.Content, stores.Images).ImportAsync(tar.Build())).Single();
        Assert.That(image.Name, Is.EqualTo("docker.io/test/hostile:latest"));
    }

    [Test]
    public async Task A_layer_that_does_not_match_its_diff_id_is_refused()
    {
        (_, byte[] config) = await ReadPartsAsync();
        DigestMismatchException error = await ImportExpectingAsync<DigestMismatchException>(new TarBuilder()
            .File("config.json", config)
            .File("layer0.tar", Encoding.UTF8.GetBytes("some other tar"))
            .File("manifest.json", ManifestJson("config.json", "layer0.tar")));
        Assert.That(error.Expected.ToString(), Is.EqualTo(_images.First.DiffIds[0]));
    }

    [Test]
    public async Task A_compressed_layer_is_refused_as_not_matching_its_diff_id()
    {
        (_, byte[] config) = await ReadPartsAsync();
        byte[] gz = await File.ReadAllBytesAsync(Path.Combine(_images.FirstLayout, "blobs", "sha256", _images.First.LayerDigests[0][7..]));
        await ImportExpectingAsync<DigestMismatchException>(new TarBuilder()
            .File("config.json", config)
            .File("layer0.tar", gz)
            .File("manifest.json", ManifestJson("config.json", "layer0.tar")));
    }

    [Test]
    public async Task A_symlink_that_leaves_the_archive_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("layer0.tar", layer)
            .Symlink("legacy/layer.tar", "../../../etc/passwd")
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "legacy/layer.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.UnsafePath));
    }

    [Test]
    public async Task An_absolute_symlink_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("layer0.tar", layer)
            .Symlink("legacy/layer.tar", "/etc/passwd")
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "legacy/layer.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.UnsafePath));
    }

    [Test]
    public async Task Path_traversal_in_manifest_json_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("layer0.tar", layer)
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "../layer0.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.UnsafePath));
    }

    [Test]
    public async Task Path_traversal_in_an_entry_name_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("layer0.tar", layer)
            .File("../../layer1.tar", layer)
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "layer0.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.UnsafePath));
    }

    [Test]
    public async Task A_missing_layer_is_refused()
    {
        (_, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "layer0.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.MissingBlob));
    }

    [Test]
    public async Task An_oversized_manifest_json_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        byte[] manifest = [.. ManifestJson("config.json", "layer0.tar"), .. Enumerable.Repeat((byte)' ', 5 * 1024 * 1024)];
        await ImportExpectingAsync<SizeLimitExceededException>(new TarBuilder()
            .File("layer0.tar", layer)
            .File("config.json", config)
            .File("manifest.json", manifest));
    }

    [Test]
    public async Task A_hard_link_is_refused()
    {
        (byte[] layer, byte[] config) = await ReadPartsAsync();
        InvalidArchiveException error = await ImportExpectingAsync<InvalidArchiveException>(new TarBuilder()
            .File("layer0.tar", layer)
            .HardLink("layer1.tar", "layer0.tar")
            .File("config.json", config)
            .File("manifest.json", ManifestJson("config.json", "layer1.tar")));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.LinkOrSpecialFile));
    }
}
