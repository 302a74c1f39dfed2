using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>Fetches content of one repository by descriptor.</summary>
public interface IFetcher
{
    /// <summary>Opens the content a descriptor names.</summary>
    /// <param name="descriptor">The blob, manifest or index to fetch; its digest is validated before it is put in a URL.</param>
    /// <param name="cancellationToken">Cancels opening; dispose the stream to stop reading.</param>
    /// <returns>
    /// A stream of the content. It checks size and digest as it is read and throws
    /// <see cref="DigestMismatchException"/> at the end when they do not match, so a caller that reads
    /// to the end never accepts wrong content.
    /// </returns>
    /// <exception cref="NotFoundException">The registry does not have the content.</exception>
    /// <exception cref="SizeLimitExceededException">A manifest, index or config is over the configured limit.</exception>
    ValueTask<Stream> FetchAsync(Descriptor descriptor, CancellationToken cancellationToken = default);
}
