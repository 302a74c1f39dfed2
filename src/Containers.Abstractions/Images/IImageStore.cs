namespace Containers.Images;

/// <summary>
/// Names images: maps an image name to the descriptor of its root manifest or index, in the current
/// namespace. The content itself lives in the content store; this store holds only the names.
/// </summary>
public interface IImageStore
{
    /// <summary>Returns an image by name.</summary>
    /// <param name="name">The image name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    ValueTask<Image> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Lists the images that match any of the filters.</summary>
    /// <param name="filters">
    /// containerd filter strings over <c>name</c>, <c>target.digest</c>, <c>target.mediatype</c> and
    /// <c>labels.&lt;key&gt;</c>; <see langword="null"/> or empty lists all.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="InvalidFilterException">A filter is malformed.</exception>
    IAsyncEnumerable<Image> ListAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default);

    /// <summary>Creates an image record.</summary>
    /// <param name="image">The image; its timestamps are ignored and set by the store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored image with its timestamps.</returns>
    /// <exception cref="AlreadyExistsException">An image with that name exists.</exception>
    /// <exception cref="InvalidSpecException">The name is empty or the target descriptor is incomplete.</exception>
    ValueTask<Image> CreateAsync(Image image, CancellationToken cancellationToken = default);

    /// <summary>Updates an image record.</summary>
    /// <param name="image">The image, found by name, with the new values.</param>
    /// <param name="fieldPaths">
    /// The fields to change: <c>target</c>, <c>labels</c>, <c>labels.&lt;key&gt;</c>, <c>annotations</c>;
    /// <see langword="null"/> or empty changes every mutable field.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored image.</returns>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    /// <exception cref="InvalidSpecException">A field path is unknown or immutable.</exception>
    ValueTask<Image> UpdateAsync(Image image, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an image record. The content becomes garbage once nothing else refers to it.</summary>
    /// <param name="name">The image name.</param>
    /// <param name="expectedTarget">
    /// When set, delete only if the image still points at this digest (a compare-and-delete).
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    /// <exception cref="FailedPreconditionException">The image points at another digest than <paramref name="expectedTarget"/>.</exception>
    ValueTask DeleteAsync(string name, Digest? expectedTarget = null, CancellationToken cancellationToken = default);
}
