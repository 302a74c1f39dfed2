using Containers.Oci.Image;

namespace Containers.Content;

/// <summary>
/// A content-addressed blob store with resumable ingests, after containerd's <c>content.Store</c>:
/// blobs are written through an <see cref="IContentWriter"/>, verified, and then visible under
/// their digest, immutable except for their labels.
/// </summary>
/// <remarks>
/// Filters use containerd's syntax subset: conditions joined by <c>,</c> (all must hold), each
/// <c>field</c> (present), <c>field==value</c>, <c>field!=value</c> or <c>field~=regex</c>, where a
/// field is <c>digest</c>, <c>size</c>, <c>labels.key</c> or <c>labels."key"</c> for blobs and
/// <c>ref</c> for ingests; values may be double-quoted.
/// </remarks>
public interface IContentStore
{
    /// <summary>Describes a committed blob.</summary>
    /// <exception cref="NotFoundException">No blob has this digest.</exception>
    Task<ContentInfo> InfoAsync(Digest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes the labels of a committed blob. Without field paths all labels are replaced by
    /// <paramref name="info"/>'s; with paths, <c>labels</c> replaces all and <c>labels.key</c> sets
    /// or (when absent or empty in <paramref name="info"/>) removes one label.
    /// </summary>
    /// <returns>The blob's info after the update.</returns>
    /// <exception cref="NotFoundException">No blob has this digest.</exception>
    Task<ContentInfo> UpdateAsync(ContentInfo info, IEnumerable<string>? fieldPaths = null, CancellationToken cancellationToken = default);

    /// <summary>Lists committed blobs that match <paramref name="filter"/> (all when null or empty).</summary>
    IAsyncEnumerable<ContentInfo> WalkAsync(string? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a committed blob and its labels.</summary>
    /// <exception cref="NotFoundException">No blob has this digest.</exception>
    Task DeleteAsync(Digest digest, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed blob for random-access reading.</summary>
    /// <exception cref="NotFoundException">No blob has the descriptor's digest.</exception>
    Task<IContentReader> OpenReaderAsync(Descriptor descriptor, CancellationToken cancellationToken = default);

    /// <summary>Opens a committed blob for random-access reading.</summary>
    /// <exception cref="NotFoundException">No blob has this digest.</exception>
    Task<IContentReader> OpenReaderAsync(Digest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens or resumes the ingest named by <see cref="ContentWriterOptions.Ref"/>. A resumed writer
    /// continues at the stored offset with its digest state rebuilt.
    /// </summary>
    /// <exception cref="ResourceLockedException">Another writer holds the ref.</exception>
    /// <exception cref="AlreadyExistsException">The expected digest is already committed.</exception>
    Task<IContentWriter> OpenWriterAsync(ContentWriterOptions options, CancellationToken cancellationToken = default);

    /// <summary>The progress of an ingest, open or not.</summary>
    /// <exception cref="NotFoundException">No ingest has this ref.</exception>
    Task<ContentStatus> StatusAsync(string reference, CancellationToken cancellationToken = default);

    /// <summary>Lists ingests whose status matches <paramref name="filter"/> (all when null or empty).</summary>
    Task<IReadOnlyList<ContentStatus>> ListStatusesAsync(string? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Removes an ingest and its data.</summary>
    /// <exception cref="NotFoundException">No ingest has this ref.</exception>
    /// <exception cref="ResourceLockedException">A writer holds the ref.</exception>
    Task AbortAsync(string reference, CancellationToken cancellationToken = default);
}
