using Containers.Oci.Image;

namespace Containers.Content;

/// <summary>How to open an ingest with <see cref="IContentStore.OpenWriterAsync"/>.</summary>
public sealed class ContentWriterOptions
{
    /// <summary>
    /// The ingest key. Writers opened with the same ref share (and resume) one ingest; only one may
    /// be open at a time. Any non-empty string is accepted: stores never use it as a path.
    /// </summary>
    public required string Ref { get; init; }

    /// <summary>
    /// What the content is expected to be, when known: a non-zero <see cref="Descriptor.Size"/> is
    /// recorded as the ingest's total and a non-empty <see cref="Descriptor.Digest"/> as its expected
    /// digest (and selects the hash algorithm). When the digest is already committed, opening fails
    /// with <see cref="AlreadyExistsException"/>.
    /// </summary>
    public Descriptor? Descriptor { get; init; }
}
