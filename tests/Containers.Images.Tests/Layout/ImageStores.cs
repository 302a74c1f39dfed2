using Containers.Content;
using Containers.Testing;

namespace Containers.Images.Tests.Layout;

/// <summary>A fresh content store and image store sharing one metadata database, for import/export tests.</summary>
internal sealed class ImageStores : IDisposable
{
    private readonly TempDirectory _dir = new("ctr-stores-");

    public ImageStores()
    {
        Content = new LocalContentStore(_dir.Combine("content"), metadataDatabase: _dir.Combine("metadata.db"));
        Images = new SqliteImageStore(_dir.Combine("metadata.db"));
    }

    public LocalContentStore Content { get; }

    public SqliteImageStore Images { get; }

    /// <summary>Asserts that no blob, ingest or image record exists: an import that failed left nothing.</summary>
    public async Task AssertEmptyAsync()
    {
        Assert.That(await Content.WalkAsync().CountAsync(), Is.Zero, "committed blobs");
        Assert.That(await Content.ListStatusesAsync(), Is.Empty, "leftover ingests");
        Assert.That(await Images.ListAsync().CountAsync(), Is.Zero, "image records");
    }

    public void Dispose() => _dir.Dispose();
}
