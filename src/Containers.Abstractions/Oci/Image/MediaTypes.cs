namespace Containers.Oci.Image;

/// <summary>
/// The media types of the OCI image-spec and of Docker's image format, and helpers to classify them.
/// </summary>
public static class MediaTypes
{
    /// <summary>An OCI content descriptor.</summary>
    public const string Descriptor = "application/vnd.oci.descriptor.v1+json";

    /// <summary>The <c>oci-layout</c> file of an image layout.</summary>
    public const string LayoutHeader = "application/vnd.oci.layout.header.v1+json";

    /// <summary>An OCI image manifest.</summary>
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>An OCI image index.</summary>
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>An OCI image config.</summary>
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>An uncompressed OCI layer.</summary>
    public const string ImageLayer = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>A gzip-compressed OCI layer.</summary>
    public const string ImageLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>A zstd-compressed OCI layer.</summary>
    public const string ImageLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>An uncompressed non-distributable OCI layer (deprecated by image-spec 1.1).</summary>
    public const string ImageLayerNonDistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar";

    /// <summary>A gzip-compressed non-distributable OCI layer (deprecated by image-spec 1.1).</summary>
    public const string ImageLayerNonDistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    /// <summary>A zstd-compressed non-distributable OCI layer (deprecated by image-spec 1.1).</summary>
    public const string ImageLayerNonDistributableZstd = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

    /// <summary>The empty JSON object <c>{}</c>, used as the config or a layer of artifacts.</summary>
    public const string Empty = "application/vnd.oci.empty.v1+json";

    /// <summary>The digest of <see cref="EmptyJsonContent"/>.</summary>
    public const string EmptyJsonDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    /// <summary>The content of an <see cref="Empty"/> blob: the two bytes <c>{}</c>.</summary>
    public const string EmptyJsonContent = "{}";

    /// <summary>A Docker image manifest, version 2 schema 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>A Docker manifest list (the Docker counterpart of an image index).</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>A signed Docker schema 1 manifest; obsolete and not supported.</summary>
    public const string DockerManifestSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>A Docker image config.</summary>
    public const string DockerImageConfig = "application/vnd.docker.container.image.v1+json";

    /// <summary>An uncompressed Docker layer.</summary>
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";

    /// <summary>A gzip-compressed Docker layer.</summary>
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>A zstd-compressed Docker layer (as containerd writes it).</summary>
    public const string DockerLayerZstd = "application/vnd.docker.image.rootfs.diff.tar.zstd";

    /// <summary>A gzip-compressed Docker foreign layer (fetched from its <c>urls</c>, for example Windows base layers).</summary>
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>A Docker plugin config.</summary>
    public const string DockerPluginConfig = "application/vnd.docker.plugin.v1+json";

    private const string OciLayerPrefix = "application/vnd.oci.image.layer.";

    /// <summary>True for an image manifest: OCI or Docker schema 2.</summary>
    public static bool IsManifest(string? mediaType) => mediaType is ImageManifest or DockerManifest;

    /// <summary>True for an index: OCI image index or Docker manifest list.</summary>
    public static bool IsIndex(string? mediaType) => mediaType is ImageIndex or DockerManifestList;

    /// <summary>True for an image config: OCI or Docker.</summary>
    public static bool IsConfig(string? mediaType) => mediaType is ImageConfig or DockerImageConfig;

    /// <summary>True for a Docker media type.</summary>
    public static bool IsDocker(string? mediaType) => mediaType is not null && mediaType.StartsWith("application/vnd.docker.", StringComparison.Ordinal);

    /// <summary>True for a layer this library can unpack: an OCI or Docker tar layer, plain, gzip or zstd.</summary>
    public static bool IsLayer(string? mediaType) => TryGetLayerCompression(mediaType, out _);

    /// <summary>True for a non-distributable (foreign) layer, which registries may not serve.</summary>
    public static bool IsNonDistributable(string? mediaType) =>
        mediaType is ImageLayerNonDistributable or ImageLayerNonDistributableGzip or ImageLayerNonDistributableZstd or DockerForeignLayerGzip;

    /// <summary>The compression of a layer media type.</summary>
    /// <exception cref="UnsupportedException">The media type is not a layer type this library knows.</exception>
    public static Compression LayerCompression(string mediaType) =>
        TryGetLayerCompression(mediaType, out Compression compression)
            ? compression
            : throw new UnsupportedException($"\"{mediaType}\" is not a supported layer media type");

    /// <summary>The compression of a layer media type; false when it is not a layer type this library knows.</summary>
    public static bool TryGetLayerCompression(string? mediaType, out Compression compression)
    {
        compression = Compression.None;
        switch (mediaType)
        {
            case ImageLayer or ImageLayerNonDistributable or DockerLayer:
                return true;
            case ImageLayerGzip or ImageLayerNonDistributableGzip or DockerLayerGzip or DockerForeignLayerGzip:
                compression = Compression.Gzip;
                return true;
            case ImageLayerZstd or ImageLayerNonDistributableZstd or DockerLayerZstd:
                compression = Compression.Zstd;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// True for an OCI layer type whose compression this library does not know (for example <c>+encrypted</c>):
    /// such layers are layers, but cannot be unpacked.
    /// </summary>
    public static bool IsUnknownOciLayer(string? mediaType) =>
        mediaType is not null && mediaType.StartsWith(OciLayerPrefix, StringComparison.Ordinal) && !IsLayer(mediaType);
}
