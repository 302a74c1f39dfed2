namespace Containers.Diff;

/// <summary>Options for <see cref="ILayerApplier.ApplyAsync"/>.</summary>
public sealed class LayerApplyOptions
{
    /// <summary>The default bound on entries in one layer: one million.</summary>
    public const long DefaultMaxEntries = 1_000_000;

    /// <summary>The default bound on the uncompressed size of one layer: 64 GiB.</summary>
    public const long DefaultMaxTotalBytes = 64L * 1024 * 1024 * 1024;

    /// <summary>How whiteouts are materialised. Default <see cref="Diff.WhiteoutMode.Delete"/>.</summary>
    public WhiteoutMode WhiteoutMode { get; init; } = WhiteoutMode.Delete;

    /// <summary>
    /// The most tar entries (headers, including whiteouts and directories) accepted before the apply
    /// fails with <see cref="SizeLimitExceededException"/>.
    /// </summary>
    public long MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>
    /// The most uncompressed tar bytes accepted before the apply fails with
    /// <see cref="SizeLimitExceededException"/>. It also bounds decompression bombs.
    /// </summary>
    public long MaxTotalBytes { get; init; } = DefaultMaxTotalBytes;

    /// <summary>
    /// Whether character and block device entries are created (needs CAP_MKNOD). When false they
    /// are skipped, as containerd does without the capability; the skip is counted in
    /// <see cref="LayerApplyResult.SkippedEntries"/>.
    /// </summary>
    public bool AllowDeviceNodes { get; init; }

    /// <summary>Owner mapping for rootless snapshots; null writes owners as recorded.</summary>
    public LayerIdMap? IdMap { get; init; }

    /// <summary>
    /// In a user namespace, whether an owner the namespace cannot map is recorded in the <c>user.rootlesscontainers</c>
    /// xattr (a protobuf <c>Resource{uid, gid}</c>, as <c>umoci unpack --rootless</c> writes it) instead of failing
    /// with <see cref="InvalidLayerReason.UnmappedOwner"/>: the entry is then owned by the namespace's root and the
    /// xattr holds the layer's ids that could not be set (ids that were set are recorded as 2^32−1, "use the
    /// owner on disk"). Symlinks, fifos and devices cannot hold <c>user.*</c> xattrs; their unmapped owners are
    /// noted in <see cref="LayerApplyResult.Notes"/>. A <c>user.rootlesscontainers</c> xattr in the layer is then
    /// dropped (umoci does the same). Default false; ignored outside a user namespace.
    /// </summary>
    public bool RecordUnmappedOwners { get; init; }

    /// <summary>The stream's compression. Default <see cref="LayerCompression.Auto"/> (detect by magic bytes).</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Auto;

    /// <summary>Shared default options.</summary>
    public static LayerApplyOptions Default { get; } = new();
}
