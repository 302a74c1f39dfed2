using Containers.Content;
using Containers.Distribution;
using Containers.Leases;
using Containers.Oci.Image;
using Containers.Registry;

namespace Containers.Images.Pull;

/// <summary>
/// Pulls an image into a content store: resolve the reference, fetch the index or manifest, pick
/// the platform, then fetch config and layers in parallel. Every blob is verified before it is
/// committed; an interrupted pull resumes from the ingests it left; concurrent pulls that need the
/// same blob fetch it once. Parents carry containerd's <c>containerd.io/gc.ref.content.*</c> labels
/// naming their children, so a garbage collector can follow them.
/// </summary>
public sealed class ImagePuller
{
    private readonly RegistryClient _registry;
    private readonly IContentStore _store;
    private readonly SingleFlightIngester _ingester;
    private readonly IImageStore? _images;

    /// <summary>Creates a puller over a registry client and a content store.</summary>
    /// <param name="registry">Where images come from.</param>
    /// <param name="store">Where their blobs go.</param>
    /// <param name="images">
    /// When set, a pulled image is recorded there under its normalised reference, pointing at the
    /// root the reference resolved to (an existing record is moved to the new target).
    /// </param>
    public ImagePuller(RegistryClient registry, IContentStore store, IImageStore? images = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        _registry = registry;
        _store = store;
        _images = images;
        _ingester = new SingleFlightIngester(store);
    }

    /// <summary>Pulls <paramref name="reference"/>.</summary>
    /// <exception cref="NotFoundException">The reference, or a blob it names, does not exist, or the index has no manifest for the platform.</exception>
    /// <exception cref="DigestMismatchException">The registry served content that does not match its digest; nothing of it was committed.</exception>
    /// <exception cref="InvalidSpecException">A manifest, index or config is malformed (the field is named).</exception>
    public async Task<PulledImage> PullAsync(ImageReference reference, PullOptions? options = null, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new PullOptions();
        if ((options.LeaseId is null) != (options.LeaseManager is null))
        {
            throw new InvalidSpecException(options.LeaseId is null ? "LeaseId" : "LeaseManager", "a lease needs both LeaseManager and LeaseId");
        }

        ImageReference full = reference.WithDefaultTag();
        RegistryRepository repository = RegistryClient.RepositoryOf(full);
        progress?.Report(new PullProgress(full, PullPhase.Resolving));
        ResolvedImage resolved = await _registry.ResolveAsync(full, cancellationToken).ConfigureAwait(false);

        progress?.Report(new PullProgress(full, PullPhase.FetchingManifests));
        Descriptor root = resolved.Descriptor;
        byte[] rootBytes = await FetchSmallAsync(full, repository, root, options, cancellationToken).ConfigureAwait(false);

        List<Descriptor> manifests;
        if (MediaTypes.IsIndex(root.MediaType))
        {
            ImageIndex index = ImageSpecJson.ParseIndex(rootBytes);
            PlatformMatcher matcher = options.Platform ?? PlatformMatcher.Default;
            manifests = options.AllPlatforms
                ? index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)).ToList()
                : matcher.Filter(index.Manifests).Where(m => MediaTypes.IsManifest(m.MediaType)).Take(1).ToList();
            if (manifests.Count == 0)
            {
                throw new NotFoundException("manifest for platform", $"{full} ({string.Join(", ", matcher.Accepted.Select(Platforms.Format))})");
            }

            await LabelChildrenAsync(root, manifests.Select((m, i) => ($"containerd.io/gc.ref.content.m.{i}", m.Digest)), cancellationToken).ConfigureAwait(false);
        }
        else if (MediaTypes.IsManifest(root.MediaType))
        {
            manifests = [root];
        }
        else
        {
            throw new UnsupportedException($"{full} resolves to \"{root.MediaType}\", not an image manifest or index");
        }

        PulledImage? chosen = null;
        foreach (Descriptor manifestDescriptor in manifests)
        {
            byte[] manifestBytes = ReferenceEquals(manifestDescriptor, root) ? rootBytes : await FetchSmallAsync(full, repository, manifestDescriptor, options, cancellationToken).ConfigureAwait(false);
            Manifest manifest = ImageSpecJson.ParseManifest(manifestBytes);
            byte[] configBytes = await FetchSmallAsync(full, repository, manifest.Config, options, cancellationToken).ConfigureAwait(false);
            ImageConfig config = ImageSpecJson.ParseConfig(configBytes);

            progress?.Report(new PullProgress(full, PullPhase.FetchingLayers) { TotalBlobs = manifest.Layers.Count, TotalBytes = manifest.Layers.Sum(l => l.Size) });
            await FetchLayersAsync(full, repository, manifest.Layers, options, progress, cancellationToken).ConfigureAwait(false);
            await LabelChildrenAsync(manifestDescriptor,
                manifest.Layers.Select((l, i) => ($"containerd.io/gc.ref.content.l.{i}", l.Digest)).Prepend(("containerd.io/gc.ref.content.config", manifest.Config.Digest)),
                cancellationToken).ConfigureAwait(false);
            chosen ??= new PulledImage(full, root, manifestDescriptor, config, manifest.Layers.ToArray());
        }

        if (_images is not null)
        {
            // Recorded last: a name never points at content that is not all in the store.
            await ImageRecords.CreateOrUpdateAsync(_images, full.ToString(), root, null, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new PullProgress(full, PullPhase.Done));
        return chosen!;
    }

    private async Task FetchLayersAsync(ImageReference reference, RegistryRepository repository, IList<Descriptor> layers, PullOptions options, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
    {
        long totalBytes = layers.Sum(l => l.Size);
        long doneBytes = 0;
        int doneBlobs = 0;
        ParallelOptions parallel = new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrentDownloads), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(layers, parallel, async (layer, token) =>
        {
            if (MediaTypes.IsNonDistributable(layer.MediaType) && (layer.Urls is null || layer.Urls.Count == 0))
            {
                throw new UnsupportedException($"layer {layer.Digest} is non-distributable and has no URL");
            }

            Action<long>? received = progress is null ? null : transferred => progress.Report(new PullProgress(reference, PullPhase.FetchingLayers)
            {
                Transfer = new TransferProgress(layer, TransferState.Transferring, transferred),
                CompletedBlobs = Volatile.Read(ref doneBlobs),
                TotalBlobs = layers.Count,
                TransferredBytes = Volatile.Read(ref doneBytes) + transferred,
                TotalBytes = totalBytes,
            });
            await IngestAsync(reference, repository, layer, received, options, token).ConfigureAwait(false);
            long bytes = Interlocked.Add(ref doneBytes, layer.Size);
            int blobs = Interlocked.Increment(ref doneBlobs);
            progress?.Report(new PullProgress(reference, PullPhase.FetchingLayers)
            {
                Transfer = new TransferProgress(layer, TransferState.Done, layer.Size),
                CompletedBlobs = blobs,
                TotalBlobs = layers.Count,
                TransferredBytes = bytes,
                TotalBytes = totalBytes,
            });
        }).ConfigureAwait(false);
    }

    private async Task IngestAsync(ImageReference reference, RegistryRepository repository, Descriptor descriptor, Action<long>? received, PullOptions options, CancellationToken cancellationToken)
    {
        if (options.LeaseManager is { } leases)
        {
            // Leased before the store is even asked whether the blob exists: a collector either ran
            // before this (and the blob is fetched again if it went) or sees the lease and keeps it.
            await leases.AddResourceAsync(options.LeaseId!, LeaseResource.ForContent(descriptor.Digest), cancellationToken).ConfigureAwait(false);
            await leases.AddResourceAsync(options.LeaseId!, LeaseResource.ForIngest(SingleFlightIngester.IngestRef(descriptor.Digest)), cancellationToken).ConfigureAwait(false);
        }

        await IngestUnleasedAsync(reference, repository, descriptor, received, cancellationToken).ConfigureAwait(false);
    }

    private async Task IngestUnleasedAsync(ImageReference reference, RegistryRepository repository, Descriptor descriptor, Action<long>? received, CancellationToken cancellationToken)
    {
        bool isManifest = MediaTypes.IsManifest(descriptor.MediaType) || MediaTypes.IsIndex(descriptor.MediaType);
        ContentInfo info = await _ingester.IngestAsync(descriptor, async (offset, token) =>
        {
            if (!isManifest)
            {
                Stream blob = await _registry.OpenBlobAsync(repository, descriptor, offset, token).ConfigureAwait(false);
                return received is null ? blob : new CountingReadStream(blob, offset, received);
            }

            // Manifests are served from /manifests/, whole; they are small, so resume by skipping.
            byte[] bytes = await _registry.GetManifestAsync(repository, descriptor, token).ConfigureAwait(false);
            return new MemoryStream(bytes, (int)offset, bytes.Length - (int)offset, writable: false);
        }, DistributionSource.LabelsFor(reference), cancellationToken).ConfigureAwait(false);

        // As containerd does: remember where the blob came from, so a push to another repository of
        // the same registry can mount it rather than upload it. A blob committed now has the label
        // already; one that was in the store gets the repository added.
        await DistributionSource.AppendAsync(_store, info, reference, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> FetchSmallAsync(ImageReference reference, RegistryRepository repository, Descriptor descriptor, PullOptions options, CancellationToken cancellationToken)
    {
        long limit = MediaTypes.IsConfig(descriptor.MediaType) ? _registry.Options.MaxConfigBytes : _registry.Options.MaxManifestBytes;
        if (descriptor.Size > limit)
        {
            throw new SizeLimitExceededException(descriptor.MediaType + " " + descriptor.Digest, limit);
        }

        await IngestAsync(reference, repository, descriptor, null, options, cancellationToken).ConfigureAwait(false);
        return await ContentDocuments.ReadAsync(_store, descriptor, limit, cancellationToken).ConfigureAwait(false);
    }

    private async Task LabelChildrenAsync(Descriptor parent, IEnumerable<(string Key, Digest Child)> children, CancellationToken cancellationToken)
    {
        ContentInfo info = await _store.InfoAsync(parent.Digest, cancellationToken).ConfigureAwait(false);
        Dictionary<string, string> labels = new(info.Labels, StringComparer.Ordinal);
        List<string> paths = [];
        foreach ((string key, Digest child) in children)
        {
            labels[key] = child.ToString();
            paths.Add("labels." + key);
        }

        await _store.UpdateAsync(new ContentInfo { Digest = info.Digest, Size = info.Size, CreatedAt = info.CreatedAt, UpdatedAt = info.UpdatedAt, Labels = labels }, paths, cancellationToken).ConfigureAwait(false);
    }
}
