using Containers.Oci.Image;

namespace Containers.Images.Layout;

/// <summary>
/// The blobs reachable from a set of roots (indexes, manifests), each once, in the order found, with
/// containerd's <c>containerd.io/gc.ref.content.*</c> labels for every parent.
/// </summary>
internal sealed class ImageGraph
{
    /// <summary>How deep indexes may nest before the graph is refused.</summary>
    public const int MaxDepth = 8;

    /// <summary>How many blobs one import or export may reach.</summary>
    public const int MaxBlobs = 100_000;

    private readonly Dictionary<Digest, Descriptor> _seen = [];

    private ImageGraph()
    {
    }

    /// <summary>Every reachable blob, parents before their children.</summary>
    public List<Descriptor> Blobs { get; } = [];

    /// <summary>The parsed manifests, by digest.</summary>
    public Dictionary<Digest, Manifest> Manifests { get; } = [];

    /// <summary>GC labels to set on parents: which children they keep alive.</summary>
    public Dictionary<Digest, Dictionary<string, string>> GcLabels { get; } = [];

    /// <summary>Walks the graph below <paramref name="roots"/>.</summary>
    /// <param name="roots">The roots, for example the manifests of an <c>index.json</c>.</param>
    /// <param name="readDocument">Reads a manifest or index whose digest it verifies, bounded by the given byte count.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <exception cref="SizeLimitExceededException">A document or the blob count is over its bound.</exception>
    /// <exception cref="InvalidSpecException">A document is malformed.</exception>
    public static async Task<ImageGraph> WalkAsync(IEnumerable<Descriptor> roots, Func<Descriptor, long, CancellationToken, Task<byte[]>> readDocument, CancellationToken cancellationToken)
    {
        ImageGraph graph = new();
        foreach (Descriptor root in roots)
        {
            await graph.VisitAsync(root, readDocument, 0, cancellationToken).ConfigureAwait(false);
        }

        return graph;
    }

    private async Task VisitAsync(Descriptor descriptor, Func<Descriptor, long, CancellationToken, Task<byte[]>> readDocument, int depth, CancellationToken cancellationToken)
    {
        if (descriptor.Size < 0)
        {
            throw new InvalidSpecException("size", $"negative size for {descriptor.Digest}");
        }

        if (descriptor.Digest.IsEmpty)
        {
            throw new InvalidSpecException("digest", "a descriptor has no digest");
        }

        if (_seen.TryGetValue(descriptor.Digest, out Descriptor? earlier))
        {
            if (earlier.Size != descriptor.Size)
            {
                throw new InvalidSpecException("size", $"{descriptor.Digest} is described with sizes {earlier.Size} and {descriptor.Size}");
            }

            return;
        }

        if (_seen.Count >= MaxBlobs)
        {
            throw new SizeLimitExceededException("number of blobs in the image graph", MaxBlobs);
        }

        _seen.Add(descriptor.Digest, descriptor);
        Blobs.Add(descriptor);
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            if (depth >= MaxDepth)
            {
                throw new SizeLimitExceededException("index nesting depth", MaxDepth);
            }

            byte[] bytes = await ReadBoundedAsync(descriptor, ImageSpecJson.MaxIndexBytes, "index", readDocument, cancellationToken).ConfigureAwait(false);
            ImageIndex index = ImageSpecJson.ParseIndex(bytes);
            AddLabels(descriptor.Digest, index.Manifests.Select((m, i) => ($"containerd.io/gc.ref.content.m.{i}", m.Digest)));
            foreach (Descriptor child in index.Manifests)
            {
                await VisitAsync(child, readDocument, depth + 1, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            byte[] bytes = await ReadBoundedAsync(descriptor, ImageSpecJson.MaxManifestBytes, "manifest", readDocument, cancellationToken).ConfigureAwait(false);
            Manifest manifest = ImageSpecJson.ParseManifest(bytes);
            Manifests[descriptor.Digest] = manifest;
            AddLabels(descriptor.Digest, manifest.Layers.Select((l, i) => ($"containerd.io/gc.ref.content.l.{i}", l.Digest))
                .Prepend(("containerd.io/gc.ref.content.config", manifest.Config.Digest)));
            await VisitAsync(manifest.Config, readDocument, depth + 1, cancellationToken).ConfigureAwait(false);
            foreach (Descriptor layer in manifest.Layers)
            {
                await VisitAsync(layer, readDocument, depth + 1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static Task<byte[]> ReadBoundedAsync(Descriptor descriptor, long limit, string what, Func<Descriptor, long, CancellationToken, Task<byte[]>> readDocument, CancellationToken cancellationToken) =>
        descriptor.Size > limit
            ? throw new SizeLimitExceededException($"{what} {descriptor.Digest} ({descriptor.Size} bytes)", limit)
            : readDocument(descriptor, limit, cancellationToken);

    private void AddLabels(Digest parent, IEnumerable<(string Key, Digest Child)> children)
    {
        Dictionary<string, string> labels = GcLabels.TryGetValue(parent, out var existing) ? existing : GcLabels[parent] = new(StringComparer.Ordinal);
        foreach ((string key, Digest child) in children)
        {
            labels[key] = child.ToString();
        }
    }
}
