using Containers.Content;
using Containers.Distribution;
using Containers.Oci.Image;
using Containers.Registry;

namespace Containers.Images.Push;

/// <summary>
/// Pushes an image from a content store to a registry: walk the index and manifests, check every
/// blob is in the store, then send configs and layers in parallel (skipped when the registry has
/// them, mounted from another repository of the same registry when the blob was pulled from there,
/// chunked above <see cref="RegistryClientOptions.ChunkedUploadThreshold"/>), then the manifests
/// children first, then the index, and the tag last — so a tag never names content the registry
/// does not hold.
/// </summary>
public sealed class ImagePusher
{
    private readonly RegistryClient _registry;
    private readonly IContentStore _store;

    /// <summary>Creates a pusher over a registry client and a content store.</summary>
    /// <param name="registry">Where images go.</param>
    /// <param name="store">Where their blobs come from.</param>
    public ImagePusher(RegistryClient registry, IContentStore store)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        _registry = registry;
        _store = store;
    }

    /// <summary>Pushes the image whose root (an index or a manifest) is <paramref name="root"/> to <paramref name="reference"/>.</summary>
    /// <param name="reference">Where to push; the tag defaults to <c>latest</c>. A digest, when given, must be the digest pushed.</param>
    /// <param name="root">The image's root descriptor in the content store (an image record's target).</param>
    /// <param name="options">Platforms, parallelism, mounting.</param>
    /// <param name="progress">Receives phase changes and per-blob progress.</param>
    /// <param name="cancellationToken">Stops the push; the tag is not moved unless everything it names was pushed.</param>
    /// <exception cref="NotFoundException">A manifest, config or layer is missing from the content store, or the index has no manifest for the platform; nothing was sent.</exception>
    /// <exception cref="InvalidSpecException">A manifest or index in the store is malformed, or the reference's digest is not the one pushed.</exception>
    /// <exception cref="UnsupportedException">The root is not a manifest or index, or an index nests another index.</exception>
    /// <exception cref="RegistryException">The registry refused a request.</exception>
    /// <exception cref="RegistryAuthenticationException">The registry refused the credentials.</exception>
    public async Task<PushedImage> PushAsync(ImageReference reference, Descriptor root, PushOptions? options = null, IProgress<PushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(root);
        options ??= new PushOptions();
        ImageReference full = reference.WithDefaultTag();
        RegistryRepository repository = RegistryClient.RepositoryOf(full);

        progress?.Report(new PushProgress(full, PushPhase.Walking));
        PushPlan plan = await WalkAsync(full, root, options, cancellationToken).ConfigureAwait(false);
        if (full.Digest is { } asked && asked != plan.Target.Digest)
        {
            throw new InvalidSpecException("reference", $"{full} names digest {asked}, but the image pushed is {plan.Target.Digest}");
        }

        progress?.Report(new PushProgress(full, PushPhase.PushingBlobs) { TotalBlobs = plan.Blobs.Count, TotalBytes = plan.Blobs.Sum(b => b.Size) });
        BlobCounts counts = await PushBlobsAsync(full, repository, plan.Blobs, options, progress, cancellationToken).ConfigureAwait(false);

        progress?.Report(new PushProgress(full, PushPhase.PushingManifests));
        foreach ((Descriptor manifest, byte[] content) in plan.Documents)
        {
            if (!await _registry.ManifestExistsAsync(repository, manifest.Digest, cancellationToken).ConfigureAwait(false))
            {
                await _registry.PushManifestAsync(repository, manifest.Digest.ToString(), manifest.MediaType, content, cancellationToken).ConfigureAwait(false);
            }
        }

        if (full.Tag is { } tag)
        {
            progress?.Report(new PushProgress(full, PushPhase.Tagging));
            byte[] targetContent = plan.Documents[^1].Content;
            await _registry.PushManifestAsync(repository, tag, plan.Target.MediaType, targetContent, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(new PushProgress(full, PushPhase.Done)
        {
            CompletedBlobs = plan.Blobs.Count,
            TotalBlobs = plan.Blobs.Count,
            TransferredBytes = plan.Blobs.Sum(b => b.Size),
            TotalBytes = plan.Blobs.Sum(b => b.Size),
        });
        return new PushedImage(full, plan.Target, plan.Documents.Select(d => d.Descriptor).ToArray(), counts.Uploaded, counts.Mounted, counts.Existing);
    }

    /// <summary>Reads the graph from the store and checks every blob it names is there, before anything is sent.</summary>
    private async Task<PushPlan> WalkAsync(ImageReference reference, Descriptor root, PushOptions options, CancellationToken cancellationToken)
    {
        long limit = _registry.Options.MaxManifestBytes;
        byte[] rootBytes = await ContentDocuments.ReadAsync(_store, root, limit, cancellationToken).ConfigureAwait(false);
        List<(Descriptor Descriptor, byte[] Content)> documents = [];
        Descriptor target;
        List<Descriptor> manifests;
        if (MediaTypes.IsIndex(root.MediaType))
        {
            ImageIndex index = ImageSpecJson.ParseIndex(rootBytes, limit);
            if (index.Manifests.FirstOrDefault(m => MediaTypes.IsIndex(m.MediaType)) is { } nested)
            {
                throw new UnsupportedException($"index {root.Digest} lists another index {nested.Digest}; nested indexes are not pushed yet");
            }

            if (options.AllPlatforms)
            {
                manifests = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType)).ToList();
                target = root;
            }
            else
            {
                PlatformMatcher matcher = options.Platform ?? PlatformMatcher.Default;
                Descriptor chosen = matcher.Filter(index.Manifests).FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType))
                    ?? throw new NotFoundException("manifest for platform", $"{reference} ({string.Join(", ", matcher.Accepted.Select(Platforms.Format))})");
                manifests = [chosen];
                target = chosen;
            }
        }
        else if (MediaTypes.IsManifest(root.MediaType))
        {
            manifests = [root];
            target = root;
        }
        else
        {
            throw new UnsupportedException($"{root.Digest} is \"{root.MediaType}\", not an image manifest or index");
        }

        Dictionary<Digest, Descriptor> blobs = [];
        foreach (Descriptor manifestDescriptor in manifests)
        {
            byte[] manifestBytes = ReferenceEquals(manifestDescriptor, root) ? rootBytes : await ContentDocuments.ReadAsync(_store, manifestDescriptor, limit, cancellationToken).ConfigureAwait(false);
            Manifest manifest = ImageSpecJson.ParseManifest(manifestBytes, limit);
            foreach (Descriptor blob in manifest.Layers.Where(l => !MediaTypes.IsNonDistributable(l.MediaType)).Prepend(manifest.Config))
            {
                blobs.TryAdd(blob.Digest, blob);
            }

            documents.Add((manifestDescriptor, manifestBytes));
        }

        if (ReferenceEquals(target, root) && MediaTypes.IsIndex(root.MediaType))
        {
            documents.Add((root, rootBytes));
        }

        foreach (Descriptor blob in blobs.Values)
        {
            // InfoAsync throws NotFoundException naming the digest: nothing has been sent yet.
            ContentInfo info = await _store.InfoAsync(blob.Digest, cancellationToken).ConfigureAwait(false);
            if (info.Size != blob.Size)
            {
                throw new DigestMismatchException(blob.Digest, blob.Size, info.Size);
            }
        }

        return new PushPlan(target, documents, blobs.Values.ToList());
    }

    private async Task<BlobCounts> PushBlobsAsync(ImageReference reference, RegistryRepository repository, IReadOnlyList<Descriptor> blobs, PushOptions options, IProgress<PushProgress>? progress, CancellationToken cancellationToken)
    {
        long totalBytes = blobs.Sum(b => b.Size);
        long doneBytes = 0;
        int doneBlobs = 0;
        BlobCounts counts = new();
        ParallelOptions parallel = new() { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrentUploads), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(blobs, parallel, async (blob, token) =>
        {
            void Report(TransferState state, long transferred, int completed, long bytes) => progress?.Report(new PushProgress(reference, PushPhase.PushingBlobs)
            {
                Transfer = new TransferProgress(blob, state, transferred),
                CompletedBlobs = completed,
                TotalBlobs = blobs.Count,
                TransferredBytes = bytes,
                TotalBytes = totalBytes,
            });

            TransferState outcome = await PushBlobAsync(reference, repository, blob, options,
                progress is null ? null : new SynchronousProgress<long>(sent => Report(TransferState.Transferring, sent, Volatile.Read(ref doneBlobs), Volatile.Read(ref doneBytes) + sent)),
                token).ConfigureAwait(false);
            counts.Add(outcome);
            long bytes = Interlocked.Add(ref doneBytes, blob.Size);
            Report(outcome, blob.Size, Interlocked.Increment(ref doneBlobs), bytes);
        }).ConfigureAwait(false);
        return counts;
    }

    private async Task<TransferState> PushBlobAsync(ImageReference reference, RegistryRepository repository, Descriptor blob, PushOptions options, IProgress<long>? sent, CancellationToken cancellationToken)
    {
        if (await _registry.StatBlobAsync(repository, blob.Digest, cancellationToken).ConfigureAwait(false) == blob.Size)
        {
            return TransferState.AlreadyExists;
        }

        if (options.CrossRepositoryMount)
        {
            ContentInfo info = await _store.InfoAsync(blob.Digest, cancellationToken).ConfigureAwait(false);
            foreach (string source in DistributionSource.Repositories(info, reference))
            {
                if (source != repository.Name && await _registry.MountBlobAsync(repository, source, blob.Digest, cancellationToken).ConfigureAwait(false))
                {
                    return TransferState.Mounted;
                }
            }
        }

        IContentReader reader = await _store.OpenReaderAsync(blob, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            Stream content = reader.AsStream();
            await using (content.ConfigureAwait(false))
            {
                await _registry.UploadBlobAsync(repository, blob, content, sent, cancellationToken).ConfigureAwait(false);
            }
        }

        return TransferState.Done;
    }

    private sealed record PushPlan(Descriptor Target, List<(Descriptor Descriptor, byte[] Content)> Documents, IReadOnlyList<Descriptor> Blobs);

    private sealed class BlobCounts
    {
        private int _uploaded;
        private int _mounted;
        private int _existing;

        public int Uploaded => _uploaded;

        public int Mounted => _mounted;

        public int Existing => _existing;

        public void Add(TransferState outcome)
        {
            _ = outcome switch
            {
                TransferState.Mounted => Interlocked.Increment(ref _mounted),
                TransferState.AlreadyExists => Interlocked.Increment(ref _existing),
                _ => Interlocked.Increment(ref _uploaded),
            };
        }
    }

    /// <summary>Calls back on the reporting thread (<see cref="Progress{T}"/> would post to the thread pool and reorder reports).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
