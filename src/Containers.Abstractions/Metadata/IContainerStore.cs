namespace Containers.Metadata;

/// <summary>Stores container records in the current namespace.</summary>
public interface IContainerStore
{
    /// <summary>Returns a container record.</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No container has that id.</exception>
    ValueTask<ContainerRecord> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists the containers that match any of the filters.</summary>
    /// <param name="filters">
    /// containerd filter strings over <c>id</c>, <c>image</c>, <c>runtime.name</c>, <c>snapshotter</c>,
    /// <c>snapshotkey</c> and <c>labels.&lt;key&gt;</c>; <see langword="null"/> or empty lists all.
    /// </param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="InvalidFilterException">A filter is malformed.</exception>
    IAsyncEnumerable<ContainerRecord> ListAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default);

    /// <summary>Creates a container record.</summary>
    /// <param name="container">The record; its timestamps are ignored and set by the store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record.</returns>
    /// <exception cref="AlreadyExistsException">A container with that id exists.</exception>
    /// <exception cref="InvalidSpecException">The id is not valid or the runtime name is empty.</exception>
    ValueTask<ContainerRecord> CreateAsync(ContainerRecord container, CancellationToken cancellationToken = default);

    /// <summary>Updates a container record.</summary>
    /// <param name="container">The record, found by id, with the new values.</param>
    /// <param name="fieldPaths">
    /// The fields to change: <c>labels</c>, <c>labels.&lt;key&gt;</c>, <c>spec</c>, <c>image</c>,
    /// <c>snapshotkey</c>, <c>extensions</c>, <c>extensions.&lt;name&gt;</c>; <see langword="null"/> or
    /// empty changes every mutable field. The runtime and the snapshotter are immutable.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record.</returns>
    /// <exception cref="NotFoundException">No container has that id.</exception>
    /// <exception cref="InvalidSpecException">A field path is unknown or immutable.</exception>
    ValueTask<ContainerRecord> UpdateAsync(ContainerRecord container, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a container record. Its snapshot and task are not touched.</summary>
    /// <param name="id">The container id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No container has that id.</exception>
    ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default);
}
