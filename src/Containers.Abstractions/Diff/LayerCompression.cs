namespace Containers.Diff;

/// <summary>The compression of a layer stream.</summary>
public enum LayerCompression
{
    /// <summary>Detect from the first bytes: gzip (<c>1f 8b</c>), zstd (<c>28 b5 2f fd</c>), else plain tar.</summary>
    Auto,

    /// <summary>A plain tar stream.</summary>
    None,

    /// <summary>gzip (<c>application/vnd.oci.image.layer.v1.tar+gzip</c>).</summary>
    Gzip,

    /// <summary>zstd (<c>application/vnd.oci.image.layer.v1.tar+zstd</c>).</summary>
    Zstd,
}
