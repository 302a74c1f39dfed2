namespace Containers.Leases;

/// <summary>
/// Creates and deletes leases and the resource references they hold, in the current namespace.
/// Garbage collection never removes a resource that an unexpired lease holds.
/// </summary>
public interface ILeaseManager
{
    /// <summary>Creates a lease.</summary>
    /// <param name="id">The lease id, or <see langword="null"/> for a generated one.</param>
    /// <param name="expiration">How long the lease lives, or <see langword="null"/> until deleted.</param>
    /// <param name="labels">Labels of the lease, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The created lease.</returns>
    /// <exception cref="AlreadyExistsException">A lease with that id exists.</exception>
    ValueTask<Lease> CreateAsync(string? id = null, TimeSpan? expiration = null, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a lease; what only it held becomes garbage.</summary>
    /// <param name="id">The lease id.</param>
    /// <param name="synchronous">Whether to run garbage collection before returning.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No lease has that id.</exception>
    ValueTask DeleteAsync(string id, bool synchronous = false, CancellationToken cancellationToken = default);

    /// <summary>Lists the leases that match any of the filters (<c>id</c>, <c>labels.&lt;key&gt;</c>).</summary>
    /// <param name="filters">containerd filter strings; <see langword="null"/> or empty lists all.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="InvalidFilterException">A filter is malformed.</exception>
    IAsyncEnumerable<Lease> ListAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default);

    /// <summary>Adds a resource to a lease; adding one already held does nothing.</summary>
    /// <param name="leaseId">The lease id.</param>
    /// <param name="resource">The resource to hold.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No lease has that id.</exception>
    /// <exception cref="InvalidSpecException">The resource type is not one of the known kinds.</exception>
    ValueTask AddResourceAsync(string leaseId, LeaseResource resource, CancellationToken cancellationToken = default);

    /// <summary>Removes a resource from a lease; removing one not held does nothing.</summary>
    /// <param name="leaseId">The lease id.</param>
    /// <param name="resource">The resource to release.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <exception cref="NotFoundException">No lease has that id.</exception>
    ValueTask DeleteResourceAsync(string leaseId, LeaseResource resource, CancellationToken cancellationToken = default);

    /// <summary>Lists the resources a lease holds.</summary>
    /// <param name="leaseId">The lease id.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="NotFoundException">No lease has that id.</exception>
    IAsyncEnumerable<LeaseResource> ListResourcesAsync(string leaseId, CancellationToken cancellationToken = default);
}
