using Containers.Content;
using Containers.Snapshots.Apply;

namespace Containers.Unpack;

/// <summary>A layer blob opened and being decompressed ahead of its apply; disposing stops the decompression, then closes the blob.</summary>
internal sealed class PrefetchedLayer : IAsyncDisposable
{
    private readonly IContentReader _reader;
    private readonly Stream _stream;

    public PrefetchedLayer(int index, IContentReader reader, Stream stream, DecompressingLayer layer)
    {
        Index = index;
        _reader = reader;
        _stream = stream;
        Layer = layer;
    }

    /// <summary>The layer's index in the manifest.</summary>
    public int Index { get; }

    /// <summary>The decompressing layer, to apply once.</summary>
    public DecompressingLayer Layer { get; }

    public async ValueTask DisposeAsync()
    {
        Layer.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
    }
}
