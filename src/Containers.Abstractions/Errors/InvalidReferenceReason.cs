namespace Containers;

/// <summary>Why an image reference was refused; carried by <see cref="InvalidReferenceException"/>.</summary>
public enum InvalidReferenceReason
{
    /// <summary>The text is empty.</summary>
    Empty,

    /// <summary>The text does not follow the <c>name[:tag][@digest]</c> grammar.</summary>
    InvalidFormat,

    /// <summary>The repository path has upper-case letters; only a domain may.</summary>
    ContainsUppercase,

    /// <summary>The repository path is longer than 255 characters.</summary>
    NameTooLong,

    /// <summary>The name is 64 hexadecimal characters, which would be ambiguous with an image id.</summary>
    HexadecimalName,

    /// <summary>The tag is not <c>[\w][\w.-]{0,127}</c>.</summary>
    InvalidTag,

    /// <summary>The digest is malformed or uses an algorithm outside the allow-list.</summary>
    InvalidDigest,
}
