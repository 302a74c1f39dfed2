using System.Text;
using Containers.Images.Layout;
using Containers.Testing;

namespace Containers.Images.Tests.Layout;

/// <summary>
/// Hostile and broken OCI layouts: each is refused with a typed error and leaves no blob, ingest or
/// image record behind, even when valid blobs came before the bad one.
/// </summary>
public sealed class OciLayoutHostileInputTests
{
    private TempDirectory _dir = null!;
    private string _source = null!;
    private OciTestImage.Result _image = null!;

    [OneTimeSetUp]
    public async Task BuildImageAsync()
    {
        _dir = new TempDirectory("ctr-hostile-");
        _source = _dir.Combine("source");
        _image = await OciTestImage.WriteBusyboxAsync(_source, "v1");
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir.Dispose();

    private string LayerName => "blobs/sha256/" + _image.LayerDigests[0][7..];

    private static Task<T> ImportTarExpectingAsync<T>(TarBuilder tar) where T : Exception => ImportTarExpectingAsync<T>(tar.Build());

    private static async Task<T> ImportTarExpectingAsync<T>(MemoryStream archive, OciImportOptions? options = null) where T : Exception
    {
        using ImageStores stores = new();
        T error = Assert.ThrowsAsync<T>(async () => await new OciLayoutImporter(stores.Content, stores.Images).ImportTarAsync(archive, options))!;
        await stores.AssertEmptyAsync();
        return error;
    }

    private static async Task<T> ImportDirectoryExpectingAsync<T>(string layout) where T : Exception
    {
        using ImageStores stores = new();
        T error = Assert.ThrowsAsync<T>(async () => await new OciLayoutImporter(stores.Content, stores.Images).ImportDirectoryAsync(layout))!;
        await stores.AssertEmptyAsync();
        return error;
    }

    private string CopyLayout()
    {
        string copy = _dir.Combine("copy-" + Guid.NewGuid().ToString("N"));
        foreach (string path in Directory.EnumerateFiles(_source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(_source, path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);
        }

        return copy;
    }

    [Test]
    public async Task The_valid_archive_imports()
    {
        using ImageStores stores = new();
        await using MemoryStream archive = new TarBuilder().Layout(_source).Build();
        IReadOnlyList<Image> images = await new OciLayoutImporter(stores.Content, stores.Images).ImportTarAsync(archive);
        Assert.That(images.Single().Target.Digest.ToString(), Is.EqualTo(_image.ManifestDigest));
    }

    [TestCase("../../escape")]
    [TestCase("blobs/../../escape")]
    [TestCase("/etc/escape")]
    [TestCase("blobs/sha256/./x")]
    public async Task Path_traversal_in_an_entry_name_is_refused(string name)
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(new TarBuilder().Layout(_source).File(name, "x"u8.ToArray()));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.UnsafePath));
    }

    [Test]
    public async Task A_blob_whose_content_does_not_match_its_name_is_refused_after_valid_blobs()
    {
        // The bad layer comes last, so the manifest and config were already staged when it is found.
        TarBuilder tar = new TarBuilder().Layout(_source, name => name == LayerName).File(LayerName, Encoding.UTF8.GetBytes("not the layer"));
        DigestMismatchException error = await ImportTarExpectingAsync<DigestMismatchException>(tar);
        Assert.That(error.Expected.ToString(), Is.EqualTo(_image.LayerDigests[0]));
    }

    [Test]
    public async Task A_symlink_entry_is_refused()
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(
            new TarBuilder().Layout(_source, name => name == LayerName).Symlink(LayerName, "/etc/shadow"));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.LinkOrSpecialFile));
    }

    [Test]
    public async Task A_hard_link_entry_is_refused()
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(
            new TarBuilder().Layout(_source, name => name == LayerName).HardLink(LayerName, "index.json"));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.LinkOrSpecialFile));
    }

    [Test]
    public async Task An_oversized_index_is_refused_before_it_is_parsed()
    {
        byte[] index = await File.ReadAllBytesAsync(Path.Combine(_source, "index.json"));
        byte[] padded = [.. index, .. Enumerable.Repeat((byte)' ', 5 * 1024 * 1024)];
        SizeLimitExceededException error = await ImportTarExpectingAsync<SizeLimitExceededException>(
            new TarBuilder().Layout(_source, name => name == "index.json").File("index.json", padded));
        Assert.That(error.What, Is.EqualTo("index.json"));
    }

    [Test]
    public async Task A_missing_blob_is_refused()
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(new TarBuilder().Layout(_source, name => name == LayerName));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.MissingBlob));
        Assert.That(error.Entry, Is.EqualTo(LayerName));
    }

    [Test]
    public async Task A_descriptor_with_the_wrong_size_is_refused()
    {
        string index = await File.ReadAllTextAsync(Path.Combine(_source, "index.json"));
        string wrong = index.Replace($"\"size\":{_image.ManifestSize}", $"\"size\":{_image.ManifestSize + 1}", StringComparison.Ordinal);
        Assert.That(wrong, Is.Not.EqualTo(index));
        await ImportTarExpectingAsync<DigestMismatchException>(new TarBuilder().Layout(_source, name => name == "index.json").File("index.json", Encoding.UTF8.GetBytes(wrong)));
    }

    [Test]
    public async Task A_duplicate_index_is_refused()
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(
            new TarBuilder().Layout(_source).File("index.json", await File.ReadAllBytesAsync(Path.Combine(_source, "index.json"))));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.DuplicateEntry));
    }

    [Test]
    public async Task A_ref_name_that_cannot_be_a_tag_fails_before_anything_is_committed()
    {
        string index = await File.ReadAllTextAsync(Path.Combine(_source, "index.json"));
        string bad = index.Replace("\"org.opencontainers.image.ref.name\":\"v1\"", "\"org.opencontainers.image.ref.name\":\"bad tag!\"", StringComparison.Ordinal);
        Assert.That(bad, Is.Not.EqualTo(index));
        InvalidSpecException error = await ImportTarExpectingAsync<InvalidSpecException>(
            new TarBuilder().Layout(_source, name => name == "index.json").File("index.json", Encoding.UTF8.GetBytes(bad)).Build(),
            new OciImportOptions { BaseName = "example.com/x" });
        Assert.That(error.JsonPath, Is.EqualTo("manifests[0].annotations"));
    }

    [Test]
    public async Task Garbage_is_not_an_archive()
    {
        InvalidArchiveException error = await ImportTarExpectingAsync<InvalidArchiveException>(new MemoryStream(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096)));
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.Malformed));
    }

    [Test]
    public async Task A_symlinked_blob_in_a_directory_is_refused()
    {
        string layout = CopyLayout();
        string layer = Path.Combine(layout, LayerName);
        File.Move(layer, _dir.Combine("outside-" + Guid.NewGuid().ToString("N")));
        File.CreateSymbolicLink(layer, _dir.Combine("outside"));
        InvalidArchiveException error = await ImportDirectoryExpectingAsync<InvalidArchiveException>(layout);
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.LinkOrSpecialFile));
    }

    [Test]
    public async Task A_symlinked_blobs_directory_is_refused()
    {
        string layout = CopyLayout();
        string moved = _dir.Combine("blobs-" + Guid.NewGuid().ToString("N"));
        Directory.Move(Path.Combine(layout, "blobs"), moved);
        Directory.CreateSymbolicLink(Path.Combine(layout, "blobs"), moved);
        InvalidArchiveException error = await ImportDirectoryExpectingAsync<InvalidArchiveException>(layout);
        Assert.That(error.Reason, Is.EqualTo(InvalidArchiveReason.LinkOrSpecialFile));
        Assert.That(error.Entry, Is.EqualTo("blobs"));
    }

    [Test]
    public async Task A_corrupted_blob_in_a_directory_is_refused()
    {
        string layout = CopyLayout();
        await File.WriteAllTextAsync(Path.Combine(layout, LayerName), "corrupt");
        DigestMismatchException error = await ImportDirectoryExpectingAsync<DigestMismatchException>(layout);
        Assert.That(error.Expected.ToString(), Is.EqualTo(_image.LayerDigests[0]));
    }

    [Test]
    public async Task An_oversized_index_in_a_directory_is_refused()
    {
        string layout = CopyLayout();
        await File.AppendAllTextAsync(Path.Combine(layout, "index.json"), new string(' ', 5 * 1024 * 1024));
        await ImportDirectoryExpectingAsync<SizeLimitExceededException>(layout);
    }
}
