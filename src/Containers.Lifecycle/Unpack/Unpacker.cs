using System.Runtime.CompilerServices;
using Containers.Concurrency;
using Containers.Content;
using Containers.Diff;
using Containers.Images;
using Containers.Leases;
using Containers.Mounts;
using Containers.Oci.Image;
using Containers.Snapshots;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Mounting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containers.Unpack;

/// <summary>
/// Turns an image in a content store into a chain of committed snapshots, as containerd's unpacker does:
/// for each layer, base first, prepare an active snapshot on the previous layer's chain id, apply the
/// layer blob into it, check the result against the config's <c>rootfs.diff_ids</c>, and commit it under
/// the layer's chain id. Layers whose chain id is already committed are skipped; concurrent unpacks of
/// the same layer into the same snapshotter apply it once.
/// </summary>
/// <remarks>
/// An active snapshot left by a failure (bad digest, cancellation, I/O error) is removed before the call
/// returns, so only committed layers remain. When the image is complete the config blob gets the label
/// <c>containerd.io/gc.ref.snapshot.&lt;snapshotter&gt;=&lt;top chain id&gt;</c>, and each compressed layer blob
/// <c>containerd.io/uncompressed=&lt;diff id&gt;</c>, as containerd records them for its garbage collector.
/// Given a lease manager, an unpack holds its snapshots in a lease of its own while it runs — each
/// extraction snapshot from before it is prepared, each committed layer until the config's label names
/// the chain — so a collection running beside it removes neither; the lease is deleted when the unpack
/// ends, and expires after <see cref="LeaseExpiration"/> if the process dies first.
/// </remarks>
public sealed class Unpacker
{
    /// <summary>The label prefix that ties an image config to its unpacked snapshot in a snapshotter.</summary>
    public const string SnapshotGcLabelPrefix = "containerd.io/gc.ref.snapshot.";

    /// <summary>The label on a compressed layer blob naming its uncompressed digest.</summary>
    public const string UncompressedLabel = "containerd.io/uncompressed";

    /// <summary>The label on an extraction snapshot naming the chain id it will be committed as.</summary>
    public const string SnapshotRefLabel = "containerd.io/snapshot.ref";

    // One set of flights per snapshotter object, shared by every Unpacker over it: two unpackers of two
    // images with a common base layer apply that layer once.
    private static readonly ConditionalWeakTable<ISnapshotter, SingleFlight<Digest, bool>> Flights = [];

    private readonly IContentStore _content;
    private readonly ISnapshotter _snapshotter;
    private readonly ILayerApplier _applier;
    private readonly ILogger _logger;
    private readonly ILeaseManager? _leases;

    /// <summary>Creates an unpacker from <paramref name="content"/> into <paramref name="snapshotter"/>.</summary>
    /// <param name="content">Where the image's manifests, config and layer blobs are.</param>
    /// <param name="snapshotter">Where the layers are unpacked.</param>
    /// <param name="snapshotterName">The snapshotter's name (<c>overlayfs</c>, <c>native</c>), used in the GC label.</param>
    /// <param name="applier">Applies layer streams; a <see cref="LayerApplier"/> when null.</param>
    /// <param name="logger">Receives debug messages and cleanup failures.</param>
    /// <param name="leases">Where each unpack takes the lease that protects its snapshots from the garbage collector; none when null.</param>
    public Unpacker(IContentStore content, ISnapshotter snapshotter, string snapshotterName, ILayerApplier? applier = null, ILogger<Unpacker>? logger = null, ILeaseManager? leases = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(snapshotter);
        ArgumentException.ThrowIfNullOrWhiteSpace(snapshotterName);
        _content = content;
        _snapshotter = snapshotter;
        SnapshotterName = snapshotterName;
        _applier = applier ?? new LayerApplier();
        _logger = logger ?? NullLogger<Unpacker>.Instance;
        _leases = leases;
    }

    /// <summary>How long an unpack's lease lives when the process dies before it deletes the lease.</summary>
    public static TimeSpan LeaseExpiration { get; } = TimeSpan.FromHours(1);

    /// <summary>The snapshotter's name as it appears in the GC label.</summary>
    public string SnapshotterName { get; }

    /// <summary>Unpacks the image a record of an image store points at.</summary>
    /// <param name="image">The image; its target is an index or a manifest.</param>
    /// <param name="options">Platform and applier limits.</param>
    /// <param name="progress">Receives a report when each layer starts and ends.</param>
    /// <param name="cancellationToken">Stops the unpack; the layer being applied is removed, layers committed stay.</param>
    /// <returns>The chain ids and what was applied or skipped.</returns>
    /// <exception cref="NotFoundException">A blob is missing, or the index has no manifest for the platform.</exception>
    /// <exception cref="DigestMismatchException">A layer's uncompressed digest differs from the config's <c>rootfs.diff_ids</c> entry (nothing of it is kept).</exception>
    /// <exception cref="InvalidSpecException">The manifest or config is malformed, or the layer and diff id counts differ.</exception>
    /// <exception cref="InvalidLayerException">A layer is not a valid or safe tar.</exception>
    public Task<UnpackResult> UnpackAsync(Image image, UnpackOptions? options = null, IProgress<UnpackProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return UnpackAsync(image.Target, options, progress, cancellationToken);
    }

    /// <summary>Unpacks the image whose index or manifest is <paramref name="target"/>.</summary>
    /// <param name="target">An index (the manifest for <see cref="UnpackOptions.Platform"/> is chosen) or a manifest.</param>
    /// <param name="options">Platform and applier limits.</param>
    /// <param name="progress">Receives a report when each layer starts and ends.</param>
    /// <param name="cancellationToken">Stops the unpack; the layer being applied is removed, layers committed stay.</param>
    /// <returns>The chain ids and what was applied or skipped.</returns>
    /// <exception cref="NotFoundException">A blob is missing, or the index has no manifest for the platform.</exception>
    /// <exception cref="DigestMismatchException">A layer's uncompressed digest differs from the config's <c>rootfs.diff_ids</c> entry (nothing of it is kept).</exception>
    /// <exception cref="InvalidSpecException">The manifest or config is malformed, or the layer and diff id counts differ.</exception>
    /// <exception cref="InvalidLayerException">A layer is not a valid or safe tar.</exception>
    public async Task<UnpackResult> UnpackAsync(Descriptor target, UnpackOptions? options = null, IProgress<UnpackProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new UnpackOptions();
        Descriptor manifestDescriptor = await ChooseManifestAsync(target, options.Platform ?? PlatformMatcher.Default, cancellationToken).ConfigureAwait(false);
        Manifest manifest = ImageSpecJson.ParseManifest(await ReadSmallAsync(manifestDescriptor, ImageSpecJson.MaxManifestBytes, "manifest", cancellationToken).ConfigureAwait(false));
        ImageConfig config = ImageSpecJson.ParseConfig(await ReadSmallAsync(manifest.Config, ImageSpecJson.MaxConfigBytes, "config", cancellationToken).ConfigureAwait(false));
        IList<Digest> diffIds = config.RootFs.DiffIds;
        if (manifest.Layers.Count == 0)
        {
            throw new InvalidSpecException("layers", $"manifest {manifestDescriptor.Digest} has no layers to unpack");
        }

        if (diffIds.Count != manifest.Layers.Count)
        {
            throw new InvalidSpecException("rootfs.diff_ids", $"config {manifest.Config.Digest} lists {diffIds.Count} diff ids for {manifest.Layers.Count} layers");
        }

        IReadOnlyList<Digest> chainIds = ChainIds.Compute(diffIds);
        string? leaseId = null;
        if (_leases is not null)
        {
            leaseId = (await _leases.CreateAsync(null, LeaseExpiration, new Dictionary<string, string>(StringComparer.Ordinal) { ["containers-dotnet.unpack"] = manifestDescriptor.Digest.ToString() }, cancellationToken).ConfigureAwait(false)).Id;
        }

        try
        {
            return await UnpackChainAsync(manifestDescriptor, manifest, diffIds, chainIds, leaseId, options, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (leaseId is not null)
            {
                await DeleteLeaseQuietlyAsync(leaseId).ConfigureAwait(false);
            }
        }
    }

    private async Task<UnpackResult> UnpackChainAsync(Descriptor manifestDescriptor, Manifest manifest, IList<Digest> diffIds, IReadOnlyList<Digest> chainIds, string? leaseId,
        UnpackOptions options, IProgress<UnpackProgress>? progress, CancellationToken cancellationToken)
    {
        SingleFlight<Digest, bool> flights = Flights.GetValue(_snapshotter, _ => new SingleFlight<Digest, bool>());
        // An applier given by the caller is used as it is: only ours can start a layer ahead of its apply.
        long ahead = options.DecompressAheadBytes;
        LayerPrefetch? prefetch = ahead > 0 && _applier is LayerApplier
            ? new LayerPrefetch(_content, ahead, options.Apply?.Compression ?? LayerCompression.Auto)
            : null;
        try
        {
            return await UnpackLayersAsync(manifestDescriptor, manifest, diffIds, chainIds, leaseId, options, prefetch, flights, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (prefetch is not null)
            {
                await prefetch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<UnpackResult> UnpackLayersAsync(Descriptor manifestDescriptor, Manifest manifest, IList<Digest> diffIds, IReadOnlyList<Digest> chainIds, string? leaseId,
        UnpackOptions options, LayerPrefetch? prefetch, SingleFlight<Digest, bool> flights, IProgress<UnpackProgress>? progress, CancellationToken cancellationToken)
    {
        int applied = 0;
        int skipped = 0;
        for (int i = 0; i < chainIds.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Descriptor layer = manifest.Layers[i];
            Digest? parent = i == 0 ? null : chainIds[i - 1];
            bool didApply = false;
            // Held before it is looked for: a layer committed by someone else stays until the chain is labelled.
            await LeaseAsync(leaseId, chainIds[i].ToString(), cancellationToken).ConfigureAwait(false);
            if (!await IsCommittedAsync(chainIds[i], cancellationToken).ConfigureAwait(false))
            {
                int index = i;
                // The flight's result says whether it applied the layer; only the caller that started it counts it.
                bool started = false;
                bool flightApplied = await flights.RunAsync(chainIds[i], token =>
                {
                    started = true;
                    return ApplyLayerAsync(index, manifest.Layers, diffIds[index], parent, chainIds[index], leaseId, options.Apply, prefetch, progress, token);
                }, cancellationToken).ConfigureAwait(false);
                didApply = started && flightApplied;
            }

            if (didApply)
            {
                applied++;
            }
            else
            {
                skipped++;
                progress?.Report(new UnpackProgress(i, chainIds.Count, layer, chainIds[i], UnpackLayerState.Skipped));
            }

            if (layer.Digest != diffIds[i])
            {
                await LabelAsync(layer.Digest, UncompressedLabel, diffIds[i].ToString(), cancellationToken).ConfigureAwait(false);
            }
        }

        // Last, as containerd does: the label names a snapshot that exists, so the GC keeps the whole chain.
        await LabelAsync(manifest.Config.Digest, SnapshotGcLabelPrefix + SnapshotterName, chainIds[^1].ToString(), cancellationToken).ConfigureAwait(false);
        return new UnpackResult(manifestDescriptor, manifest.Config, chainIds, applied, skipped);
    }

    private async Task<bool> ApplyLayerAsync(int index, IList<Descriptor> layers, Digest diffId, Digest? parent, Digest chainId, string? leaseId, LayerApplyOptions? applyOptions,
        LayerPrefetch? prefetch, IProgress<UnpackProgress>? progress, CancellationToken cancellationToken)
    {
        int count = layers.Count;
        Descriptor layer = layers[index];

        // A flight that ended just before this one started may have committed the layer.
        if (await IsCommittedAsync(chainId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // This layer, if it was started while the one before was applied; then the next one, which decompresses
        // while this one is prepared, applied and committed.
        PrefetchedLayer? started = prefetch is null ? null : await prefetch.TakeAsync(index).ConfigureAwait(false);
        try
        {
            if (prefetch is not null && index + 1 < count)
            {
                await prefetch.StartAsync(index + 1, layers[index + 1], cancellationToken).ConfigureAwait(false);
            }

            return await PrepareApplyCommitAsync(index, count, layer, diffId, parent, chainId, leaseId, applyOptions, started?.Layer, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> PrepareApplyCommitAsync(int index, int count, Descriptor layer, Digest diffId, Digest? parent, Digest chainId, string? leaseId, LayerApplyOptions? applyOptions,
        DecompressingLayer? started, IProgress<UnpackProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new UnpackProgress(index, count, layer, chainId, UnpackLayerState.Applying));
        string key = $"extract-{Guid.NewGuid():N} {chainId}";
        // Only the applier writes an extraction snapshot, so a native snapshotter may hard-link its parent's files
        // into it rather than copy them (ignored by others; Commit does not keep Prepare's labels).
        Dictionary<string, string> labels = new(StringComparer.Ordinal)
        {
            [SnapshotRefLabel] = chainId.ToString(),
            [NativeSnapshotter.LayerApplyOnlyLabel] = "true",
        };
        // In the lease before it exists: a collection between Prepare and Commit must not take it.
        await LeaseAsync(leaseId, key, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Mount> mounts = await _snapshotter.PrepareAsync(key, parent?.ToString(), labels, cancellationToken).ConfigureAwait(false);
        try
        {
            LayerApplyResult result = await ApplyAsync(layer, mounts, applyOptions, started, cancellationToken).ConfigureAwait(false);
            if (result.DiffId != diffId)
            {
                throw new DigestMismatchException(diffId, result.DiffId);
            }

            if (result.CompressedDigest is { } compressed && compressed != layer.Digest)
            {
                throw new DigestMismatchException(layer.Digest, compressed);
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _snapshotter.CommitAsync(chainId.ToString(), key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (AlreadyExistsException)
            {
                // Another process (or another snapshotter object over the same root) committed the same
                // chain id first: its content is the same by construction, so keep it and drop ours.
                UnpackerLog.CommittedElsewhere(_logger, chainId.ToString());
                await RemoveQuietlyAsync(key).ConfigureAwait(false);
                progress?.Report(new UnpackProgress(index, count, layer, chainId, UnpackLayerState.Skipped));
                return false;
            }

            UnpackerLog.Applied(_logger, layer.Digest.ToString(), chainId.ToString(), SnapshotterName, result.Size);
            progress?.Report(new UnpackProgress(index, count, layer, chainId, UnpackLayerState.Applied));
            return true;
        }
        catch
        {
            await RemoveQuietlyAsync(key).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<LayerApplyResult> ApplyAsync(Descriptor layer, IReadOnlyList<Mount> mounts, LayerApplyOptions? applyOptions, DecompressingLayer? started, CancellationToken cancellationToken)
    {
        if (started is not null)
        {
            return await ApplyIntoAsync(mounts, applyOptions, (directory, options) => ((LayerApplier)_applier).ApplyAsync(started, directory, options, cancellationToken)).ConfigureAwait(false);
        }

        IContentReader reader = await _content.OpenReaderAsync(layer, cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
        Stream stream = reader.AsStream();
        await using ConfiguredAsyncDisposable streamScope = stream.ConfigureAwait(false);
        return await ApplyIntoAsync(mounts, applyOptions, (directory, options) => _applier.ApplyAsync(stream, directory, options, cancellationToken)).ConfigureAwait(false);
    }

    private static async Task<LayerApplyResult> ApplyIntoAsync(IReadOnlyList<Mount> mounts, LayerApplyOptions? applyOptions, Func<string, LayerApplyOptions, Task<LayerApplyResult>> apply)
    {
        if (OverlaySnapshotter.TryGetUpperDirectory(mounts, out string? directory))
        {
            // As containerd's applier: into an overlay's upper directory with overlay whiteouts (the kernel
            // refuses whiteout devices through the mounted overlay); into a bind source with deletions. An overlay
            // mounted with userxattr reads user.overlay.* (the markers a user namespace can write), not trusted.*.
            WhiteoutMode mode = mounts[0].Type != "overlay" ? WhiteoutMode.Delete
                : mounts[0].Options.Contains("userxattr") ? WhiteoutMode.OverlayUserXattr : WhiteoutMode.Overlay;
            return await apply(directory, WithMode(applyOptions, mode)).ConfigureAwait(false);
        }

        // Any other mount set: mount it privately, apply through it, unmount.
        DirectoryInfo target = Directory.CreateTempSubdirectory("containers-unpack-");
        try
        {
            MountHelper.MountAll(mounts, target.FullName);
            try
            {
                return await apply(target.FullName, WithMode(applyOptions, WhiteoutMode.Delete)).ConfigureAwait(false);
            }
            finally
            {
                MountHelper.Unmount(target.FullName);
            }
        }
        finally
        {
            target.Delete();
        }
    }

    private static LayerApplyOptions WithMode(LayerApplyOptions? options, WhiteoutMode mode) => options is null
        ? new LayerApplyOptions { WhiteoutMode = mode, AllowDeviceNodes = true }
        : new LayerApplyOptions
        {
            WhiteoutMode = mode,
            AllowDeviceNodes = options.AllowDeviceNodes,
            MaxEntries = options.MaxEntries,
            MaxTotalBytes = options.MaxTotalBytes,
            IdMap = options.IdMap,
            Compression = options.Compression,
        };

    private async Task<bool> IsCommittedAsync(Digest chainId, CancellationToken cancellationToken)
    {
        try
        {
            SnapshotInfo info = await _snapshotter.StatAsync(chainId.ToString(), cancellationToken).ConfigureAwait(false);
            return info.Kind == SnapshotKind.Committed;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private async Task LeaseAsync(string? leaseId, string snapshotKey, CancellationToken cancellationToken)
    {
        if (leaseId is not null)
        {
            await _leases!.AddResourceAsync(leaseId, LeaseResource.ForSnapshot(SnapshotterName, snapshotKey), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteLeaseQuietlyAsync(string leaseId)
    {
        try
        {
            // Not cancellable: a cancelled unpack still gives its lease up (what it committed is labelled or garbage).
            await _leases!.DeleteAsync(leaseId, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContainersException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            UnpackerLog.LeaseDeleteFailed(_logger, ex, leaseId);
        }
    }

    private async Task RemoveQuietlyAsync(string key)
    {
        try
        {
            // Not cancellable: a cancelled unpack must still take its half-applied snapshot away.
            await _snapshotter.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or ContainersException or UnauthorizedAccessException)
        {
            UnpackerLog.RemoveFailed(_logger, ex, key);
        }
    }

    private async Task<Descriptor> ChooseManifestAsync(Descriptor target, PlatformMatcher platform, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsManifest(target.MediaType))
        {
            return target;
        }

        if (!MediaTypes.IsIndex(target.MediaType))
        {
            throw new UnsupportedException($"{target.Digest} is \"{target.MediaType}\", not an image manifest or index");
        }

        ImageIndex index = ImageSpecJson.ParseIndex(await ReadSmallAsync(target, ImageSpecJson.MaxIndexBytes, "index", cancellationToken).ConfigureAwait(false));
        Descriptor? chosen = platform.Filter(index.Manifests).FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType));
        if (chosen is not null)
        {
            return chosen;
        }

        // A nested index (rare) is searched one level down, as containerd's handlers do recursively.
        foreach (Descriptor child in index.Manifests.Where(m => MediaTypes.IsIndex(m.MediaType)))
        {
            ImageIndex nested = ImageSpecJson.ParseIndex(await ReadSmallAsync(child, ImageSpecJson.MaxIndexBytes, "index", cancellationToken).ConfigureAwait(false));
            chosen = platform.Filter(nested.Manifests).FirstOrDefault(m => MediaTypes.IsManifest(m.MediaType));
            if (chosen is not null)
            {
                return chosen;
            }
        }

        throw new NotFoundException("manifest for platform", $"{target.Digest} ({string.Join(", ", platform.Accepted.Select(Platforms.Format))})");
    }

    private async Task<byte[]> ReadSmallAsync(Descriptor descriptor, long limit, string what, CancellationToken cancellationToken)
    {
        if (descriptor.Size > limit)
        {
            throw new SizeLimitExceededException($"{what} {descriptor.Digest} ({descriptor.Size} bytes)", limit);
        }

        IContentReader reader = await _content.OpenReaderAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using ConfiguredAsyncDisposable readerScope = reader.ConfigureAwait(false);
        if (reader.Size != descriptor.Size)
        {
            throw new DigestMismatchException(descriptor.Digest, descriptor.Size, reader.Size);
        }

        byte[] bytes = new byte[reader.Size];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = await reader.ReadAtAsync(bytes.AsMemory(read), read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new DigestMismatchException(descriptor.Digest, descriptor.Size, read);
            }

            read += n;
        }

        if (!descriptor.Digest.Matches(bytes))
        {
            throw new DigestMismatchException(descriptor.Digest, Digest.Compute(bytes, descriptor.Digest.Algorithm));
        }

        return bytes;
    }

    private async Task LabelAsync(Digest digest, string key, string value, CancellationToken cancellationToken)
    {
        // An image unpacked before has its labels: a read skips the write transaction (and its fsync)
        // every warm run would otherwise make; the result is the same label either way.
        ContentInfo current = await _content.InfoAsync(digest, cancellationToken).ConfigureAwait(false);
        if (current.Labels.TryGetValue(key, out string? existing) && existing == value)
        {
            return;
        }

        Dictionary<string, string> labels = new(StringComparer.Ordinal) { [key] = value };
        await _content.UpdateAsync(new ContentInfo { Digest = digest, Labels = labels }, ["labels." + key], cancellationToken).ConfigureAwait(false);
    }
}
