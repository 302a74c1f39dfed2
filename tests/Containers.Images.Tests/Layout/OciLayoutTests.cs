using System.Text.Json.Nodes;
using Containers.Content;
using Containers.Images.Layout;
using Containers.Oci.Image;
using Containers.Testing;

namespace Containers.Images.Tests.Layout;

/// <summary>
/// OCI layout import and export, with skopeo and umoci as oracles: what we export they read with the
/// same digests, and what skopeo writes we import with the same digests.
/// </summary>
[NonParallelizable]
public sealed class OciLayoutTests
{
    private TwoTestImages _images = null!;

    [OneTimeSetUp]
    public async Task BuildImagesAsync() => _images = await TwoTestImages.BuildAsync();

    [OneTimeTearDown]
    public void Cleanup() => _images.Dispose();

    private Task<(ImageStores Stores, Image First, Image Second)> PopulateAsync() => _images.PopulateAsync();

    [Test]
    public async Task Import_directory_stores_every_blob_and_names_the_image()
    {
        (ImageStores stores, Image image, _) = await PopulateAsync();
        using (stores)
        {
            Assert.That(image.Name, Is.EqualTo("example.com/test/busybox:v1"));
            Assert.That(image.Target.Digest.ToString(), Is.EqualTo(_images.First.ManifestDigest));
            Assert.That((await stores.Images.GetAsync("example.com/test/busybox:v2")).Target.Digest.ToString(), Is.EqualTo(_images.Second.ManifestDigest));
            foreach (string digest in _images.First.LayerDigests.Append(_images.First.ConfigDigest).Append(_images.First.ManifestDigest))
            {
                byte[] expected = await File.ReadAllBytesAsync(Path.Combine(_images.FirstLayout, "blobs", "sha256", digest[7..]));
                Assert.That(await File.ReadAllBytesAsync(stores.Content.GetBlobPath(Digest.Parse(digest))), Is.EqualTo(expected), digest);
            }

            ContentInfo manifest = await stores.Content.InfoAsync(Digest.Parse(_images.First.ManifestDigest));
            Assert.That(manifest.Labels["containerd.io/gc.ref.content.config"], Is.EqualTo(_images.First.ConfigDigest));
            Assert.That(manifest.Labels["containerd.io/gc.ref.content.l.0"], Is.EqualTo(_images.First.LayerDigests[0]));
            Assert.That(await stores.Content.ListStatusesAsync(), Is.Empty, "no ingest left behind");
        }
    }

    [Test]
    public async Task Export_directory_is_read_by_skopeo_and_umoci_with_the_same_digests()
    {
        (ImageStores stores, Image first, Image second) = await PopulateAsync();
        using (stores)
        {
            using TempDirectory output = new();
            string layout = output.Combine("layout");
            await new OciLayoutExporter(stores.Content).ExportToDirectoryAsync([first, second], layout);

            Assert.That(await Skopeo.DigestAsync($"oci:{layout}:v1"), Is.EqualTo(_images.First.ManifestDigest));
            Assert.That(await Skopeo.DigestAsync($"oci:{layout}:v2"), Is.EqualTo(_images.Second.ManifestDigest));
            Assert.That(await Skopeo.DiffIdsAsync($"oci:{layout}:v2"), Is.EqualTo(_images.Second.DiffIds));
            string copy = output.Combine("copy");
            await Skopeo.CopyAsync($"oci:{layout}:v2", $"oci:{copy}:v2");
            Assert.That(await Skopeo.DigestAsync($"oci:{copy}:v2"), Is.EqualTo(_images.Second.ManifestDigest));

            TestHost.RequireTool(Skopeo.UmociPath, "umoci");
            ToolResult ls = await Tool.RunCheckedAsync(Skopeo.UmociPath, "ls", "--layout", layout);
            Assert.That(ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "v1", "v2" }));
            TestHost.RequireRoot("umoci unpack keeps owners only as root");
            string bundle = output.Combine("bundle");
            await Tool.RunCheckedAsync(Skopeo.UmociPath, "unpack", "--image", $"{layout}:v2", bundle);
            Assert.That(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")), Is.True);
            Assert.That(new FileInfo(Path.Combine(bundle, "rootfs", "data.bin")).Length, Is.EqualTo(TwoTestImages.ExtraFileSize));
        }
    }

    [Test]
    public async Task Export_tar_is_read_by_skopeo_and_imported_back()
    {
        (ImageStores stores, Image first, Image second) = await PopulateAsync();
        using (stores)
        {
            using TempDirectory output = new();
            string archive = output.Combine("images.tar");
            await using (FileStream file = File.Create(archive))
            {
                await new OciLayoutExporter(stores.Content).ExportToTarAsync([first, second], file);
            }

            Assert.That(await Skopeo.DigestAsync($"oci-archive:{archive}:v1"), Is.EqualTo(_images.First.ManifestDigest));
            string copy = output.Combine("copy");
            await Skopeo.CopyAsync($"oci-archive:{archive}:v2", $"oci:{copy}:v2");
            Assert.That(await Skopeo.DigestAsync($"oci:{copy}:v2"), Is.EqualTo(_images.Second.ManifestDigest));

            using ImageStores target = new();
            await using FileStream input = File.OpenRead(archive);
            IReadOnlyList<Image> imported = await new OciLayoutImporter(target.Content, target.Images).ImportTarAsync(input);
            Assert.That(imported.Select(i => i.Name), Is.EquivalentTo(new[] { first.Name, second.Name }), "io.containerd.image.name keeps the full names");
            Assert.That(imported.Select(i => i.Target.Digest), Is.EquivalentTo(new[] { first.Target.Digest, second.Target.Digest }));
            Assert.That(await target.Content.WalkAsync().Select(i => i.Digest).ToArrayAsync(), Is.EquivalentTo(await stores.Content.WalkAsync().Select(i => i.Digest).ToArrayAsync()));
        }
    }

    [Test]
    public async Task Imports_what_skopeo_writes_as_directory_and_archive()
    {
        using TempDirectory output = new();
        string layout = output.Combine("skopeo-layout");
        string archive = output.Combine("skopeo.tar");
        await Skopeo.CopyAsync($"oci:{_images.SecondLayout}:v2", $"oci:{layout}:tagged");
        await Skopeo.CopyAsync($"oci:{_images.FirstLayout}:v1", $"oci-archive:{archive}:other");
        string layoutDigest = await Skopeo.DigestAsync($"oci:{layout}:tagged");
        string archiveDigest = await Skopeo.DigestAsync($"oci-archive:{archive}:other");

        using ImageStores stores = new();
        OciLayoutImporter importer = new(stores.Content, stores.Images);
        Image fromDirectory = (await importer.ImportDirectoryAsync(layout, new OciImportOptions { BaseName = "docker.io/library/busybox" })).Single();
        await using FileStream input = File.OpenRead(archive);
        Image fromArchive = (await importer.ImportTarAsync(input, new OciImportOptions { BaseName = "docker.io/library/busybox" })).Single();

        Assert.That(fromDirectory.Name, Is.EqualTo("docker.io/library/busybox:tagged"));
        Assert.That(fromDirectory.Target.Digest.ToString(), Is.EqualTo(layoutDigest));
        Assert.That(fromArchive.Name, Is.EqualTo("docker.io/library/busybox:other"));
        Assert.That(fromArchive.Target.Digest.ToString(), Is.EqualTo(archiveDigest));
        Manifest manifest = ImageSpecJson.ParseManifest(await File.ReadAllBytesAsync(stores.Content.GetBlobPath(fromDirectory.Target.Digest)));
        foreach (Descriptor blob in manifest.Layers.Append(manifest.Config))
        {
            Assert.That((await stores.Content.InfoAsync(blob.Digest)).Size, Is.EqualTo(blob.Size));
        }
    }

    [Test]
    public async Task Export_into_an_existing_layout_replaces_only_the_same_ref_name()
    {
        (ImageStores stores, Image first, Image second) = await PopulateAsync();
        using (stores)
        {
            using TempDirectory output = new();
            string layout = output.Combine("layout");
            await Skopeo.CopyAsync($"oci:{_images.FirstLayout}:v1", $"oci:{layout}:kept");
            OciLayoutExporter exporter = new(stores.Content);
            await exporter.ExportToDirectoryAsync([first], layout);
            await exporter.ExportToDirectoryAsync([second with { Name = "example.com/test/busybox:v1" }], layout);

            Assert.That(await Skopeo.DigestAsync($"oci:{layout}:kept"), Is.EqualTo(_images.First.ManifestDigest));
            Assert.That(await Skopeo.DigestAsync($"oci:{layout}:v1"), Is.EqualTo(_images.Second.ManifestDigest), "the second export moved v1");
            JsonNode index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
            Assert.That(index["manifests"]!.AsArray(), Has.Count.EqualTo(2));
        }
    }

    [Test]
    public async Task Export_of_one_platform_lists_its_manifest_and_all_platforms_needs_every_manifest()
    {
        (ImageStores stores, Image first, _) = await PopulateAsync();
        using (stores)
        {
            // A two-platform index whose foreign manifest was never pulled, as after a single-platform pull.
            Descriptor host = new() { MediaType = first.Target.MediaType, Digest = first.Target.Digest, Size = first.Target.Size, Platform = new Platform { OS = "linux", Architecture = OciTestImage.HostArchitecture() } };
            Descriptor foreign = Descriptor.FromContent(MediaTypes.ImageManifest, "{\"schemaVersion\":2}"u8);
            foreign.Platform = new Platform { OS = "linux", Architecture = OciTestImage.HostArchitecture() == "s390x" ? "ppc64le" : "s390x" };
            byte[] indexBytes = ImageSpecJson.Serialize(new ImageIndex { SchemaVersion = 2, MediaType = MediaTypes.ImageIndex, Manifests = [foreign, host] });
            Descriptor indexDescriptor = Descriptor.FromContent(MediaTypes.ImageIndex, indexBytes);
            await ContentCopy.WriteBlobAsync(stores.Content, "test-index", new MemoryStream(indexBytes), indexDescriptor);
            Image multi = await stores.Images.CreateAsync(new Image("example.com/test/multi:latest", indexDescriptor));

            using TempDirectory output = new();
            OciLayoutExporter exporter = new(stores.Content);
            IReadOnlyList<Descriptor> written = await exporter.ExportToDirectoryAsync([multi], output.Combine("one"), new OciExportOptions { Platform = PlatformMatcher.Default });
            Assert.That(written.Single().Digest, Is.EqualTo(first.Target.Digest));
            Assert.That(written.Single().Platform!.Architecture, Is.EqualTo(OciTestImage.HostArchitecture()));
            Assert.That(await Skopeo.DigestAsync($"oci:{output.Combine("one")}:latest"), Is.EqualTo(_images.First.ManifestDigest));

            NotFoundException missing = Assert.ThrowsAsync<NotFoundException>(async () => await exporter.ExportToDirectoryAsync([multi], output.Combine("all")))!;
            Assert.That(missing.Name, Does.Contain(foreign.Digest.ToString()));
            Assert.That(Directory.Exists(output.Combine("all")), Is.False, "nothing written when the plan fails");
        }
    }

    [Test]
    public async Task Concurrent_imports_of_the_same_archive_all_succeed_with_one_copy_of_each_blob()
    {
        (ImageStores source, Image first, Image second) = await PopulateAsync();
        using (source)
        {
            MemoryStream archive = new();
            await new OciLayoutExporter(source.Content).ExportToTarAsync([first, second], archive);
            byte[] bytes = archive.ToArray();

            using ImageStores target = new();
            IReadOnlyList<Image>[] results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
                new OciLayoutImporter(target.Content, target.Images).ImportTarAsync(new MemoryStream(bytes)))));

            Assert.That(results.Select(r => r.Count), Is.All.EqualTo(2));
            Assert.That(await target.Images.ListAsync().Select(i => i.Name).ToArrayAsync(), Is.EquivalentTo(new[] { first.Name, second.Name }));
            Assert.That(await target.Content.WalkAsync().Select(i => i.Digest).ToArrayAsync(), Is.EquivalentTo(await source.Content.WalkAsync().Select(i => i.Digest).ToArrayAsync()));
            Assert.That(await target.Content.ListStatusesAsync(), Is.Empty, "every import cleaned up its ingests");
            Assert.That((await target.Content.InfoAsync(first.Target.Digest)).Labels, Does.ContainKey("containerd.io/gc.ref.content.config"));
        }
    }
}
