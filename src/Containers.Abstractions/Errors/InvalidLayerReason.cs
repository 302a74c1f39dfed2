namespace Containers;

/// <summary>Why a layer was refused by <see cref="InvalidLayerException"/>.</summary>
public enum InvalidLayerReason
{
    /// <summary>The stream is not a well-formed (possibly compressed) tar archive.</summary>
    MalformedArchive,

    /// <summary>An entry's name or link target would escape the root or names something it must not.</summary>
    UnsafePath,

    /// <summary>An entry cannot be applied as written (for example a hard link to a missing file).</summary>
    InvalidEntry,

    /// <summary>An owner in the layer is outside the configured id mapping.</summary>
    UnmappedOwner,
}
