using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>Pushes content to one repository.</summary>
public interface IPusher
{
    /// <summary>
    /// Uploads a blob, manifest or index. A manifest or index is tagged with the reference's tag, if any.
    /// </summary>
    /// <param name="descriptor">What is being pushed; the upload is committed under its digest.</param>
    /// <param name="content">The content, read once from its current position.</param>
    /// <param name="progress">Receives upload progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload; the registry discards a partial upload.</param>
    /// <returns><see langword="true"/> when uploaded; <see langword="false"/> when the registry had it already.</returns>
    /// <exception cref="DigestMismatchException">The content does not match the descriptor.</exception>
    ValueTask<bool> PushAsync(Descriptor descriptor, Stream content, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default);
}
