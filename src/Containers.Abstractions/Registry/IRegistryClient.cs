using Containers.Distribution;

namespace Containers.Registry;

/// <summary>A client of OCI distribution registries: resolve, fetch, push, and list tags.</summary>
public interface IRegistryClient : IResolver
{
    /// <summary>Lists the tags of a repository, following the registry's pagination.</summary>
    /// <param name="repository">Any reference in the repository; its tag and digest are ignored.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <exception cref="NotFoundException">The repository does not exist.</exception>
    IAsyncEnumerable<string> ListTagsAsync(ImageReference repository, CancellationToken cancellationToken = default);
}
