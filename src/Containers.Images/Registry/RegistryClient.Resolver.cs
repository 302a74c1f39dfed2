using System.Runtime.CompilerServices;
using Containers.Distribution;
using Containers.Oci;
using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>The <see cref="IRegistryClient"/> side of the client: image references in, descriptors and streams out.</summary>
public sealed partial class RegistryClient
{
    /// <summary>The registry repository an image reference lives in (Docker Hub's API host for <c>docker.io</c>).</summary>
    public static RegistryRepository RepositoryOf(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string host = reference.Domain == Auth.RegistryHosts.DockerHub ? Auth.RegistryHosts.DockerHubApi : reference.Domain;
        return new RegistryRepository(host, reference.Path);
    }

    /// <inheritdoc />
    public async ValueTask<ResolvedImage> ResolveAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ImageReference full = reference.WithDefaultTag();
        string target = full.Digest?.ToString() ?? full.Tag!;
        Descriptor descriptor = await ResolveAsync(RepositoryOf(full), target, cancellationToken).ConfigureAwait(false);
        return new ResolvedImage(full.ToString(), descriptor);
    }

    /// <inheritdoc />
    public ValueTask<IFetcher> GetFetcherAsync(ImageReference reference, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IFetcher>(new Fetcher(this, RepositoryOf(reference)));

    /// <inheritdoc />
    public ValueTask<IPusher> GetPusherAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return ValueTask.FromResult<IPusher>(new Pusher(this, RepositoryOf(reference), reference.Tag));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListTagsAsync(ImageReference repository, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        RegistryRepository repo = RepositoryOf(repository);
        Uri? next = new(_http.BaseUri(repo.Host), $"{repo.Name}/tags/list");
        while (next is not null)
        {
            Uri page = next;
            using HttpResponseMessage response = await _http.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page), idempotent: true, cancellationToken).ConfigureAwait(false);
            await RegistryHttp.EnsureSuccessAsync(response, "repository", repo.ToString(), cancellationToken).ConfigureAwait(false);
            Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            TagList list;
            await using (body.ConfigureAwait(false))
            {
                list = await OciJson.ReadAsync(body, RegistryJsonContext.Default.TagList, _http.Options.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
            }

            foreach (string tag in list.Tags ?? [])
            {
                yield return tag;
            }

            next = NextPage(response, repo);
        }
    }

    private Uri? NextPage(HttpResponseMessage response, RegistryRepository repo)
    {
        // RFC 5988 Link: </v2/name/tags/list?n=100&last=x>; rel="next"
        if (!response.Headers.TryGetValues("Link", out IEnumerable<string>? links))
        {
            return null;
        }

        foreach (string link in links)
        {
            int open = link.IndexOf('<', StringComparison.Ordinal);
            int close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link.Contains("rel=\"next\"", StringComparison.Ordinal))
            {
                Uri target = new(_http.BaseUri(repo.Host), link[(open + 1)..close]);
                return string.Equals(target.Authority, repo.Host, StringComparison.OrdinalIgnoreCase) ? target : null;
            }
        }

        return null;
    }

    /// <summary>Fetches blobs and manifests of one repository, each stream verified as it is read.</summary>
    private sealed class Fetcher(RegistryClient client, RegistryRepository repository) : IFetcher
    {
        public async ValueTask<Stream> FetchAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(descriptor);
            if (MediaTypes.IsManifest(descriptor.MediaType) || MediaTypes.IsIndex(descriptor.MediaType))
            {
                byte[] content = await client.GetManifestAsync(repository, descriptor, cancellationToken).ConfigureAwait(false);
                return new MemoryStream(content, writable: false);
            }

            Stream blob = await client.OpenBlobAsync(repository, descriptor, 0, cancellationToken).ConfigureAwait(false);
            return new VerifyingStream(blob, descriptor);
        }
    }

    /// <summary>
    /// Pushes into one repository. Manifests and indexes go to the reference's tag when it has one
    /// (push children first and the root last: the last one pushed is what the tag names), else by digest.
    /// </summary>
    private sealed class Pusher(RegistryClient client, RegistryRepository repository, string? tag) : IPusher
    {
        public async ValueTask<bool> PushAsync(Descriptor descriptor, Stream content, IProgress<TransferProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(descriptor);
            ArgumentNullException.ThrowIfNull(content);
            if (MediaTypes.IsManifest(descriptor.MediaType) || MediaTypes.IsIndex(descriptor.MediaType))
            {
                byte[] bytes = await OciJson.ReadBoundedAsync(content, client._http.Options.MaxManifestBytes, "manifest", cancellationToken).ConfigureAwait(false);
                if (bytes.LongLength != descriptor.Size || !descriptor.Digest.Matches(bytes))
                {
                    throw new DigestMismatchException(descriptor.Digest, Digest.Compute(bytes, descriptor.Digest.Algorithm));
                }

                await client.PushManifestAsync(repository, tag ?? descriptor.Digest.ToString(), descriptor.MediaType, bytes, cancellationToken).ConfigureAwait(false);
                progress?.Report(new TransferProgress(descriptor, TransferState.Done, descriptor.Size));
                return true;
            }

            if (await client.StatBlobAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false) == descriptor.Size)
            {
                progress?.Report(new TransferProgress(descriptor, TransferState.AlreadyExists, descriptor.Size));
                return false;
            }

            IProgress<long>? sentBytes = progress is null ? null : new Progress<long>(sent => progress.Report(new TransferProgress(descriptor, TransferState.Transferring, sent)));
            await client.PushBlobAsync(repository, descriptor, content, sentBytes, cancellationToken).ConfigureAwait(false);
            progress?.Report(new TransferProgress(descriptor, TransferState.Done, descriptor.Size));
            return true;
        }
    }
}
