namespace Containers;

/// <summary>Why an image archive or layout (OCI layout, docker-archive) was refused.</summary>
public enum InvalidArchiveReason
{
    /// <summary>The archive is not a readable tar, or a required file is missing or malformed.</summary>
    Malformed,

    /// <summary>An entry name is absolute, climbs out with <c>..</c>, or is otherwise unsafe.</summary>
    UnsafePath,

    /// <summary>An entry is a symbolic link, hard link, device or other non-regular file where only files may be.</summary>
    LinkOrSpecialFile,

    /// <summary>The same file appears twice.</summary>
    DuplicateEntry,

    /// <summary>A descriptor names a blob that the archive does not hold.</summary>
    MissingBlob,

    /// <summary>The archive's layout version or format is not supported.</summary>
    UnsupportedVersion,
}
