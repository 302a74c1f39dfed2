namespace Containers.Oci.Image;

/// <summary>How a layer blob is compressed.</summary>
public enum Compression
{
    /// <summary>A plain tar.</summary>
    None,

    /// <summary>A gzip-compressed tar.</summary>
    Gzip,

    /// <summary>A zstd-compressed tar.</summary>
    Zstd,
}
