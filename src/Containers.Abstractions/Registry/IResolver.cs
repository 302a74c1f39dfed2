using Containers.Distribution;

namespace Containers.Registry;

/// <summary>
/// Resolves references to descriptors and hands out fetchers and pushers for their repositories,
/// as containerd's remotes resolver does.
/// </summary>
public interface IResolver
{
    /// <summary>Asks the registry what a reference points at (a HEAD or GET of its manifest).</summary>
    /// <param name="reference">The reference; a digest, when present, wins over the tag.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="NotFoundException">The registry does not know the reference.</exception>
    /// <exception cref="DigestMismatchException">The registry answered content with another digest than the reference's.</exception>
    ValueTask<ResolvedImage> ResolveAsync(ImageReference reference, CancellationToken cancellationToken = default);

    /// <summary>Returns a fetcher for the reference's repository.</summary>
    /// <param name="reference">Any reference in the repository.</param>
    /// <param name="cancellationToken">Cancels authentication, if it is needed up front.</param>
    ValueTask<IFetcher> GetFetcherAsync(ImageReference reference, CancellationToken cancellationToken = default);

    /// <summary>Returns a pusher for the reference's repository; manifests are tagged with its tag.</summary>
    /// <param name="reference">The reference to push to.</param>
    /// <param name="cancellationToken">Cancels authentication, if it is needed up front.</param>
    ValueTask<IPusher> GetPusherAsync(ImageReference reference, CancellationToken cancellationToken = default);
}
