using Containers.Content;
using Containers.Diff;
using Containers.Oci.Image;
using Containers.Snapshots.Apply;

namespace Containers.Unpack;

/// <summary>
/// One unpack's next layer, decompressed ahead (<see cref="UnpackOptions.DecompressAheadBytes"/>): started when the
/// layer before it starts, taken by its own apply, disposed when it is skipped or the unpack ends.
/// </summary>
internal sealed class LayerPrefetch : IAsyncDisposable
{
    private readonly IContentStore _content;
    private readonly long _aheadBytes;
    private readonly LayerCompression _compression;
    private PrefetchedLayer? _next;

    public LayerPrefetch(IContentStore content, long aheadBytes, LayerCompression compression)
    {
        _content = content;
        _aheadBytes = aheadBytes;
        _compression = compression;
    }

    /// <summary>Starts decompressing layer <paramref name="index"/> (replacing any other started one).</summary>
    public async Task StartAsync(int index, Descriptor layer, CancellationToken cancellationToken)
    {
        await DropAsync().ConfigureAwait(false);
        IContentReader reader = await _content.OpenReaderAsync(layer, cancellationToken).ConfigureAwait(false);
        Stream? stream = null;
        try
        {
            stream = reader.AsStream();
            _next = new PrefetchedLayer(index, reader, stream, LayerApplier.StartDecompressing(stream, _compression, _aheadBytes));
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The started layer if it is layer <paramref name="index"/> (the caller disposes it), else null (and any other started one is dropped).</summary>
    public async Task<PrefetchedLayer?> TakeAsync(int index)
    {
        if (_next?.Index == index)
        {
            PrefetchedLayer taken = _next;
            _next = null;
            return taken;
        }

        await DropAsync().ConfigureAwait(false);
        return null;
    }

    public ValueTask DisposeAsync() => new(DropAsync());

    private async Task DropAsync()
    {
        PrefetchedLayer? next = Interlocked.Exchange(ref _next, null);
        if (next is not null)
        {
            await next.DisposeAsync().ConfigureAwait(false);
        }
    }
}
