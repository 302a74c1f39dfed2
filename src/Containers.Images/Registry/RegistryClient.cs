using System.Net;
using System.Net.Http.Headers;
using Containers.Oci;
using Containers.Oci.Image;

namespace Containers.Registry;

/// <summary>
/// A client of the OCI distribution API (and Docker registries): resolve a tag, fetch manifests
/// and blobs (resumed after dropped connections, verified), push blobs (monolithic or chunked,
/// cross-repository mount) and manifests.
/// </summary>
/// <remarks>Thread-safe: one instance serves concurrent pulls and shares its connections and tokens.</remarks>
public sealed partial class RegistryClient : IRegistryClient, IDisposable
{
    /// <summary>The manifest media types asked for, in order of preference. Schema 1 is not accepted.</summary>
    public static readonly IReadOnlyList<string> ManifestMediaTypes =
    [
        MediaTypes.ImageIndex,
        MediaTypes.ImageManifest,
        MediaTypes.DockerManifestList,
        MediaTypes.DockerManifest,
    ];

    private readonly RegistryHttp _http;

    /// <summary>The options this client was made with.</summary>
    public RegistryClientOptions Options => _http.Options;

    /// <summary>Creates a client.</summary>
    public RegistryClient(RegistryClientOptions? options = null)
    {
        _http = new RegistryHttp(options ?? new RegistryClientOptions());
    }

    /// <summary>Finds what <paramref name="reference"/> (a tag or a digest) names in <paramref name="repository"/>.</summary>
    /// <exception cref="NotFoundException">The tag or digest does not exist.</exception>
    /// <exception cref="UnsupportedException">The registry serves a media type this client does not read.</exception>
    public async Task<Descriptor> ResolveAsync(RegistryRepository repository, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        string path = ManifestPath(repository, reference);
        using (HttpResponseMessage head = await _http.SendPullAsync(repository.Host, path, uri => ManifestRequest(HttpMethod.Head, uri), cancellationToken).ConfigureAwait(false))
        {
            await RegistryHttp.EnsureSuccessAsync(head, "manifest", $"{repository}:{reference}", cancellationToken).ConfigureAwait(false);
            string? mediaType = head.Content.Headers.ContentType?.MediaType;
            long? size = head.Content.Headers.ContentLength;
            if (TryHeaderDigest(head, out Digest digest) && mediaType is not null && size is long length)
            {
                CheckManifestMediaType(mediaType, repository, reference);
                if (Digest.TryParse(reference, out Digest asked) && asked != digest)
                {
                    throw new DigestMismatchException(asked, digest);
                }

                return new Descriptor { MediaType = mediaType, Digest = digest, Size = length };
            }
        }

        // Some registries answer HEAD without the digest: fetch the manifest and hash it ourselves.
        (Descriptor descriptor, _) = await GetManifestAsync(repository, reference, cancellationToken).ConfigureAwait(false);
        return descriptor;
    }

    /// <summary>Fetches a manifest or index by tag or digest; a digest reference is verified.</summary>
    /// <exception cref="DigestMismatchException">The bytes do not hash to the digest asked for (or the one the registry announced).</exception>
    /// <exception cref="SizeLimitExceededException">The manifest is larger than <see cref="RegistryClientOptions.MaxManifestBytes"/>.</exception>
    public async Task<(Descriptor Descriptor, byte[] Content)> GetManifestAsync(RegistryRepository repository, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        string path = ManifestPath(repository, reference);
        using HttpResponseMessage response = await _http.SendPullAsync(repository.Host, path, uri => ManifestRequest(HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
        await RegistryHttp.EnsureSuccessAsync(response, "manifest", $"{repository}:{reference}", cancellationToken).ConfigureAwait(false);
        string mediaType = response.Content.Headers.ContentType?.MediaType ?? throw new UnsupportedException($"{repository}:{reference}: the registry sent no manifest media type");
        CheckManifestMediaType(mediaType, repository, reference);
        byte[] content = await ReadManifestBodyAsync(response, cancellationToken).ConfigureAwait(false);

        Digest expected = Digest.TryParse(reference, out Digest asked) ? asked : default;
        if (expected.IsEmpty && TryHeaderDigest(response, out Digest announced))
        {
            expected = announced;
        }

        Digest actual = Digest.Compute(content, expected.IsEmpty ? DigestAlgorithm.Sha256 : expected.Algorithm);
        if (!expected.IsEmpty && actual != expected)
        {
            throw new DigestMismatchException(expected, actual);
        }

        return (new Descriptor { MediaType = mediaType, Digest = actual, Size = content.LongLength }, content);
    }

    /// <summary>Fetches the manifest <paramref name="descriptor"/> names, verifying its size and digest.</summary>
    public async Task<byte[]> GetManifestAsync(RegistryRepository repository, Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Size > _http.Options.MaxManifestBytes)
        {
            throw new SizeLimitExceededException("manifest " + descriptor.Digest, _http.Options.MaxManifestBytes);
        }

        (Descriptor fetched, byte[] content) = await GetManifestAsync(repository, descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
        if (fetched.Size != descriptor.Size)
        {
            throw new DigestMismatchException(descriptor.Digest, descriptor.Size, fetched.Size);
        }

        return content;
    }

    /// <summary>
    /// Opens a blob for reading from <paramref name="offset"/>. The stream resumes by itself after
    /// dropped connections; it does not verify the digest — hash what you read (the content store
    /// does) or use <see cref="CopyBlobAsync"/>.
    /// </summary>
    public Task<Stream> OpenBlobAsync(RegistryRepository repository, Descriptor descriptor, long offset = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, descriptor.Size);
        string path = BlobPath(repository, descriptor.Digest);
        Stream stream = new ResumableBlobStream(_http, (start, token) => _http.SendPullAsync(repository.Host, path, uri =>
        {
            HttpRequestMessage request = new(HttpMethod.Get, uri);
            if (start > 0)
            {
                request.Headers.Range = new RangeHeaderValue(start, null);
            }

            return request;
        }, token), descriptor.Digest.ToString(), descriptor.Size, offset);
        return Task.FromResult(stream);
    }

    /// <summary>Copies a blob into <paramref name="destination"/>, verifying its size and digest at the end.</summary>
    /// <exception cref="DigestMismatchException">The bytes do not match the descriptor. What was written is not trustworthy.</exception>
    public async Task CopyBlobAsync(RegistryRepository repository, Descriptor descriptor, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(destination);
        using System.Security.Cryptography.IncrementalHash hasher = Digest.CreateHasher(descriptor.Digest.Algorithm);
        Stream source = await OpenBlobAsync(repository, descriptor, 0, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            byte[] buffer = new byte[1024 * 1024];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                progress?.Report(total);
            }

            if (total != descriptor.Size)
            {
                throw new DigestMismatchException(descriptor.Digest, descriptor.Size, total);
            }

            Digest actual = Digest.FromHash(descriptor.Digest.Algorithm, hasher.GetHashAndReset());
            if (actual != descriptor.Digest)
            {
                throw new DigestMismatchException(descriptor.Digest, actual);
            }
        }
    }

    /// <summary>Checks whether a blob exists in the repository; returns its size, or null.</summary>
    public async Task<long?> StatBlobAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        Uri uri = BlobUri(repository, digest);
        using HttpResponseMessage response = await _http.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, uri), idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await RegistryHttp.EnsureSuccessAsync(response, "blob", digest.ToString(), cancellationToken).ConfigureAwait(false);
        return response.Content.Headers.ContentLength;
    }

    /// <summary>
    /// Asks the registry to mount a blob from another repository on the same registry. Returns false
    /// when the registry started an upload instead (the blob must then be pushed).
    /// </summary>
    public async Task<bool> MountBlobAsync(RegistryRepository repository, string fromRepository, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        _ = new RegistryRepository(repository.Host, fromRepository);
        Uri uri = new(_http.BaseUri(repository.Host), $"{repository.Name}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}");
        using HttpResponseMessage response = await _http.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri), idempotent: false, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        await RegistryHttp.EnsureSuccessAsync(response, "blob", digest.ToString(), cancellationToken).ConfigureAwait(false);
        if (response.Headers.Location is { } location)
        {
            // An upload session was opened instead; cancel it so it does not linger on the registry.
            Uri session = location.IsAbsoluteUri ? location : new Uri(_http.BaseUri(repository.Host), location);
            using HttpResponseMessage _ = await _http.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, session), idempotent: true, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Uploads a blob: skipped when the registry has it, one PUT when small, chunks (POST, PATCH…,
    /// PUT ?digest=) when larger than <see cref="RegistryClientOptions.ChunkedUploadThreshold"/>.
    /// The registry verifies the digest; a mismatch is a <see cref="RegistryException"/> (DIGEST_INVALID).
    /// </summary>
    public async Task PushBlobAsync(RegistryRepository repository, Descriptor descriptor, Stream content, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(content);
        if (await StatBlobAsync(repository, descriptor.Digest, cancellationToken).ConfigureAwait(false) == descriptor.Size)
        {
            progress?.Report(descriptor.Size);
            return;
        }

        await UploadBlobAsync(repository, descriptor, content, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a blob without asking first whether the registry has it (the caller did): one PUT
    /// when small, chunks (POST, PATCH…, PUT ?digest=) when larger than
    /// <see cref="RegistryClientOptions.ChunkedUploadThreshold"/>, each chunk at least the
    /// registry's <c>OCI-Chunk-Min-Length</c>.
    /// </summary>
    /// <exception cref="RegistryException">The registry refused the upload (DIGEST_INVALID when the bytes do not match).</exception>
    public async Task UploadBlobAsync(RegistryRepository repository, Descriptor descriptor, Stream content, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(content);
        Uri start = new(_http.BaseUri(repository.Host), $"{repository.Name}/blobs/uploads/");
        Uri session;
        int minChunk = 0;
        using (HttpResponseMessage opened = await _http.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, start), idempotent: false, cancellationToken).ConfigureAwait(false))
        {
            await RegistryHttp.EnsureSuccessAsync(opened, "upload", repository.ToString(), cancellationToken).ConfigureAwait(false);
            session = UploadLocation(repository, opened);
            if (opened.Headers.TryGetValues("OCI-Chunk-Min-Length", out IEnumerable<string>? values) && int.TryParse(values.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out int min))
            {
                minChunk = min;
            }
        }

        if (descriptor.Size <= _http.Options.ChunkedUploadThreshold)
        {
            Uri put = WithDigest(session, descriptor.Digest);
            using HttpRequestMessage request = new(HttpMethod.Put, put) { Content = new ProgressStreamContent(content, descriptor.Size, progress) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using HttpResponseMessage done = await _http.Client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await RegistryHttp.EnsureSuccessAsync(done, "blob", descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            return;
        }

        int chunkSize = Math.Max(_http.Options.UploadChunkSize, minChunk);
        byte[] chunk = new byte[chunkSize];
        long sent = 0;
        while (sent < descriptor.Size)
        {
            int filled = await content.ReadAtLeastAsync(chunk, chunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled == 0)
            {
                throw new DigestMismatchException(descriptor.Digest, descriptor.Size, sent);
            }

            using HttpRequestMessage patch = new(HttpMethod.Patch, session) { Content = new ByteArrayContent(chunk, 0, filled) };
            patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            // The distribution API uses "start-end" without a unit, which the typed header rejects.
            patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{sent}-{sent + filled - 1}");
            using HttpResponseMessage accepted = await _http.Client.SendAsync(patch, cancellationToken).ConfigureAwait(false);
            await RegistryHttp.EnsureSuccessAsync(accepted, "upload chunk", descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            session = UploadLocation(repository, accepted);
            sent += filled;
            progress?.Report(sent);
        }

        using HttpRequestMessage finish = new(HttpMethod.Put, WithDigest(session, descriptor.Digest));
        using HttpResponseMessage finished = await _http.Client.SendAsync(finish, cancellationToken).ConfigureAwait(false);
        await RegistryHttp.EnsureSuccessAsync(finished, "blob", descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks whether the repository holds the manifest or index with <paramref name="digest"/>.</summary>
    public async Task<bool> ManifestExistsAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        Uri uri = ManifestUri(repository, digest.ToString());
        using HttpResponseMessage response = await _http.SendAsync(() => ManifestRequest(HttpMethod.Head, uri), idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await RegistryHttp.EnsureSuccessAsync(response, "manifest", $"{repository}@{digest}", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Uploads a manifest or index under a tag or its digest; returns the digest the registry recorded.</summary>
    public async Task<Digest> PushManifestAsync(RegistryRepository repository, string reference, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        Uri uri = ManifestUri(repository, reference);
        Digest digest = Digest.Compute(content.Span);
        using HttpResponseMessage response = await _http.SendAsync(() =>
        {
            HttpRequestMessage request = new(HttpMethod.Put, uri) { Content = new ReadOnlyMemoryContent(content) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return request;
        }, idempotent: true, cancellationToken).ConfigureAwait(false);
        await RegistryHttp.EnsureSuccessAsync(response, "manifest", $"{repository}:{reference}", cancellationToken).ConfigureAwait(false);
        if (TryHeaderDigest(response, out Digest recorded) && recorded != digest)
        {
            throw new DigestMismatchException(digest, recorded);
        }

        return digest;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private Uri ManifestUri(RegistryRepository repository, string reference) => new(_http.BaseUri(repository.Host), ManifestPath(repository, reference));

    private static string ManifestPath(RegistryRepository repository, string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        bool isDigest = reference.Contains(':', StringComparison.Ordinal);
        if (isDigest)
        {
            _ = Digest.Parse(reference); // strict: never put an unchecked digest into a URL
        }
        else if (reference.Length is 0 or > 128 || !reference.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') || reference[0] is '.' or '-')
        {
            throw new InvalidSpecException("reference", $"\"{reference}\" is not a tag");
        }

        return $"{repository.Name}/manifests/{reference}";
    }

    private Uri BlobUri(RegistryRepository repository, Digest digest) => new(_http.BaseUri(repository.Host), BlobPath(repository, digest));

    private static string BlobPath(RegistryRepository repository, Digest digest)
    {
        if (digest.IsEmpty)
        {
            throw new InvalidDigestException(string.Empty, "empty digest");
        }

        return $"{repository.Name}/blobs/{digest}";
    }

    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri uri)
    {
        HttpRequestMessage request = new(method, uri);
        foreach (string type in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        return request;
    }

    private static void CheckManifestMediaType(string mediaType, RegistryRepository repository, string reference)
    {
        if (!ManifestMediaTypes.Contains(mediaType, StringComparer.Ordinal))
        {
            throw new UnsupportedException($"{repository}:{reference} is served as \"{mediaType}\", which is not an OCI or Docker schema 2 manifest or index");
        }
    }

    private async Task<byte[]> ReadManifestBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > _http.Options.MaxManifestBytes)
        {
            throw new SizeLimitExceededException("manifest", _http.Options.MaxManifestBytes);
        }

        Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await OciJson.ReadBoundedAsync(body, _http.Options.MaxManifestBytes, "manifest", cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool TryHeaderDigest(HttpResponseMessage response, out Digest digest)
    {
        digest = default;
        return response.Headers.TryGetValues("Docker-Content-Digest", out IEnumerable<string>? values) && Digest.TryParse(values.FirstOrDefault(), out digest);
    }

    private Uri UploadLocation(RegistryRepository repository, HttpResponseMessage response)
    {
        Uri location = response.Headers.Location ?? throw new RegistryException($"{repository}: upload response without Location", response.StatusCode);
        Uri absolute = location.IsAbsoluteUri ? location : new Uri(_http.BaseUri(repository.Host), location);
        if (!string.Equals(absolute.Authority, repository.Host, StringComparison.OrdinalIgnoreCase))
        {
            // Credentials and data go only to the registry the caller named.
            throw new RegistryException($"{repository}: upload redirected to another host {absolute.Authority}", response.StatusCode);
        }

        return absolute;
    }

    private static Uri WithDigest(Uri session, Digest digest)
    {
        string separator = string.IsNullOrEmpty(session.Query) ? "?" : "&";
        return new Uri(session.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
    }
}
