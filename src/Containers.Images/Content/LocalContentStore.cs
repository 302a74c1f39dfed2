using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Containers.Oci.Image;
using Microsoft.Win32.SafeHandles;

namespace Containers.Content;

/// <summary>
/// A content store in a local directory, laid out as containerd's: committed blobs under
/// <c>blobs/&lt;algorithm&gt;/&lt;hex&gt;</c> (read-only, 0444), ingests under
/// <c>ingest/&lt;sha256 of ref&gt;/</c>, labels in <c>metadata.db</c> (SQLite) scoped by namespace.
/// </summary>
/// <remarks>
/// A blob appears under <c>blobs/</c> only after its size and digest were verified and its data was
/// fsync'd, by an atomic no-replace rename from its ingest directory (same filesystem) followed by
/// an fsync of the blob directory. Ingests are resumable: a writer opened with the ref of an
/// unfinished ingest re-hashes the stored data and continues at its end. One writer per ref at a
/// time, across processes (flock) and within one (a lock table).
/// </remarks>
public sealed class LocalContentStore : IContentStore
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ReadOnlyBlob = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const int HashBufferSize = 1 << 20;
    private static readonly DigestAlgorithm[] WalkedAlgorithms = [DigestAlgorithm.Sha256, DigestAlgorithm.Sha512];

    private readonly string _blobsRoot;
    private readonly string _ingestRoot;
    private readonly ContentLabelStore _labels;

    /// <summary>Opens (creating when needed, mode 0700) the store in <paramref name="root"/>.</summary>
    /// <param name="root">The store's directory, for example <c>/var/lib/containers-dotnet/content</c>.</param>
    /// <param name="namespace">The namespace whose labels this instance sees and changes.</param>
    /// <param name="metadataDatabase">
    /// The SQLite database for labels (tables <c>content_labels</c>, <c>content_updates</c>); by
    /// default <c>&lt;root&gt;/metadata.db</c>. Point it at the stack's shared metadata.db to keep all
    /// metadata in one crash-safe place.
    /// </param>
    public LocalContentStore(string root, string @namespace = "default", string? metadataDatabase = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        Root = Path.GetFullPath(root);
        Namespace = @namespace;
        _blobsRoot = Path.Combine(Root, "blobs");
        _ingestRoot = Path.Combine(Root, "ingest");
        Directory.CreateDirectory(Root, PrivateDirectory);
        Directory.CreateDirectory(_blobsRoot, PrivateDirectory);
        Directory.CreateDirectory(_ingestRoot, PrivateDirectory);
        LabelDatabasePath = Path.GetFullPath(metadataDatabase ?? Path.Combine(Root, "metadata.db"));
        _labels = new ContentLabelStore(LabelDatabasePath, @namespace);
    }

    /// <summary>The SQLite database that holds the blobs' labels (a garbage collector reads them there).</summary>
    public string LabelDatabasePath { get; }

    /// <summary>The store's directory.</summary>
    public string Root { get; }

    /// <summary>The namespace whose labels this instance sees.</summary>
    public string Namespace { get; }

    /// <summary>Where the blob with <paramref name="digest"/> lives (or would live) on disk.</summary>
    public string GetBlobPath(Digest digest)
    {
        if (digest.IsEmpty)
        {
            throw new ArgumentException("the empty digest names no blob", nameof(digest));
        }

        // Digest is strictly validated (algorithm allow-list, lower-case hex), so it is a safe name.
        return Path.Combine(_blobsRoot, digest.AlgorithmName, digest.Encoded);
    }

    /// <inheritdoc />
    public Task<ContentInfo> InfoAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(GetBlobPath(digest));
        if (!file.Exists)
        {
            throw new NotFoundException("blob", digest.ToString());
        }

        return Task.FromResult(ToInfo(digest, file));
    }

    /// <inheritdoc />
    public Task<ContentInfo> UpdateAsync(ContentInfo info, IEnumerable<string>? fieldPaths = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var file = new FileInfo(GetBlobPath(info.Digest));
        if (!file.Exists)
        {
            throw new NotFoundException("blob", info.Digest.ToString());
        }

        bool replaceAll = fieldPaths is null;
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string path in fieldPaths ?? [])
        {
            if (path == "labels")
            {
                replaceAll = true;
            }
            else if (path.StartsWith("labels.", StringComparison.Ordinal) && path.Length > "labels.".Length)
            {
                string key = path["labels.".Length..];
                changes[key] = info.Labels.GetValueOrDefault(key);
            }
            else
            {
                throw new ArgumentException($"cannot update field \"{path}\" of blob {info.Digest}: only labels are mutable", nameof(fieldPaths));
            }
        }

        if (replaceAll)
        {
            ContentLabelStore.Validate(info.Labels!, nameof(info));
        }
        else
        {
            ContentLabelStore.Validate(changes, nameof(info));
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        Dictionary<string, string> labels = replaceAll
            ? _labels.Set(info.Digest, info.Labels, now)
            : _labels.Update(info.Digest, changes, now);
        return Task.FromResult(new ContentInfo
        {
            Digest = info.Digest,
            Size = file.Length,
            CreatedAt = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            UpdatedAt = now,
            Labels = labels,
        });
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ContentInfo> WalkAsync(string? filter = null, CancellationToken cancellationToken = default) =>
        WalkAsync(ContentFilter.Parse(filter), cancellationToken);

    private async IAsyncEnumerable<ContentInfo> WalkAsync(ContentFilter parsed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (DigestAlgorithm algorithm in WalkedAlgorithms)
        {
            var directory = new DirectoryInfo(Path.Combine(_blobsRoot, Digest.AlgorithmToName(algorithm)));
            if (!directory.Exists)
            {
                continue;
            }

            foreach (FileInfo file in directory.EnumerateFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();

                // Anything that is not a well-formed digest is not content (nor ours to report).
                if (!Digest.TryParse(Digest.AlgorithmToName(algorithm) + ":" + file.Name, out Digest digest))
                {
                    continue;
                }

                ContentInfo info;
                try
                {
                    info = ToInfo(digest, file);
                }
                catch (FileNotFoundException)
                {
                    // Deleted while we walked.
                    continue;
                }

                if (parsed.Matches(path => LookupInfoField(info, path)))
                {
                    yield return info;
                }
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        string path = GetBlobPath(digest);
        if (!File.Exists(path))
        {
            throw new NotFoundException("blob", digest.ToString());
        }

        File.Delete(path);
        _labels.Delete(digest);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IContentReader> OpenReaderAsync(Descriptor descriptor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return OpenReaderAsync(descriptor.Digest, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IContentReader> OpenReaderAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        string path = GetBlobPath(digest);
        try
        {
            SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Task.FromResult<IContentReader>(new LocalContentReader(handle));
        }
        catch (FileNotFoundException)
        {
            throw new NotFoundException("blob", digest.ToString());
        }
    }

    /// <inheritdoc />
    public async Task<IContentWriter> OpenWriterAsync(ContentWriterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Ref))
        {
            throw new ArgumentException("an ingest needs a non-empty ref", nameof(options));
        }

        Digest expected = options.Descriptor?.Digest ?? default;
        long total = Math.Max(0, options.Descriptor?.Size ?? 0);
        if (!expected.IsEmpty && File.Exists(GetBlobPath(expected)))
        {
            throw new AlreadyExistsException("blob", expected.ToString());
        }

        var ingest = new IngestDirectory(_ingestRoot, options.Ref);
        IngestLock ingestLock = IngestLock.Acquire(ingest.DirectoryPath, options.Ref);
        SafeFileHandle? data = null;
        IncrementalHash? hasher = null;
        try
        {
            ContentStatus? status = ingest.TryReadStatus();
            DigestAlgorithm algorithm = status is not null && !status.Expected.IsEmpty ? status.Expected.Algorithm
                : expected.IsEmpty ? DigestAlgorithm.Sha256 : expected.Algorithm;
            if (status is not null && IsResumable(status, options.Ref, total, expected))
            {
                data = ingest.OpenData(truncate: false);
                hasher = Digest.CreateHasher(algorithm);

                // Re-hash what is there, as containerd does: a persisted hash state could disagree
                // with data that a crash cut short, the file cannot.
                long offset = await HashFileAsync(data, hasher, cancellationToken).ConfigureAwait(false);
                status = new ContentStatus
                {
                    Ref = status.Ref,
                    Offset = offset,
                    Total = status.Total,
                    Expected = status.Expected,
                    StartedAt = status.StartedAt,
                    UpdatedAt = status.UpdatedAt,
                };
            }
            else
            {
                // New, or left by a different transaction under this ref (or half-removed): start over.
                algorithm = expected.IsEmpty ? DigestAlgorithm.Sha256 : expected.Algorithm;
                DateTimeOffset now = DateTimeOffset.UtcNow;
                File.Delete(ingest.DataPath);
                ingest.WriteMetadata(now, total, expected);
                data = ingest.OpenData(truncate: true);
                hasher = Digest.CreateHasher(algorithm);
                status = new ContentStatus { Ref = options.Ref, Total = total, Expected = expected, StartedAt = now, UpdatedAt = now };
            }

            return new LocalContentWriter(this, ingest, ingestLock, data, hasher, algorithm, status);
        }
        catch
        {
            data?.Dispose();
            hasher?.Dispose();
            ingestLock.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<ContentStatus> StatusAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ContentStatus? status = new IngestDirectory(_ingestRoot, reference).TryReadStatus();
        return status is not null && status.Ref == reference
            ? Task.FromResult(status)
            : throw new NotFoundException("ingest", reference);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ContentStatus>> ListStatusesAsync(string? filter = null, CancellationToken cancellationToken = default)
    {
        ContentFilter parsed = ContentFilter.Parse(filter);
        var statuses = new List<ContentStatus>();
        foreach (string directory in Directory.EnumerateDirectories(_ingestRoot))
        {
            cancellationToken.ThrowIfCancellationRequested();
            string name = Path.GetFileName(directory);
            if (!IngestDirectory.IsIngestName(name))
            {
                continue;
            }

            // The directory name is the hash of the ref; read the ref back to rebuild the paths.
            string reference;
            try
            {
                reference = File.ReadAllText(Path.Combine(directory, "ref"));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                continue;
            }

            var ingest = new IngestDirectory(_ingestRoot, reference);
            if (ingest.DirectoryPath != directory || ingest.TryReadStatus() is not { } status)
            {
                continue;
            }

            if (parsed.Matches(path => path is ["ref"] ? status.Ref : null))
            {
                statuses.Add(status);
            }
        }

        return Task.FromResult<IReadOnlyList<ContentStatus>>(statuses);
    }

    /// <inheritdoc />
    public Task AbortAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var ingest = new IngestDirectory(_ingestRoot, reference);
        if (!Directory.Exists(ingest.DirectoryPath))
        {
            throw new NotFoundException("ingest", reference);
        }

        using IngestLock ingestLock = IngestLock.Acquire(ingest.DirectoryPath, reference);
        bool existed = ingest.TryReadStatus() is not null;
        ingest.Remove();
        return existed ? Task.CompletedTask : throw new NotFoundException("ingest", reference);
    }

    /// <summary>
    /// Makes a verified ingest a blob. Called by the writer that holds the ingest's lock, after the
    /// data was fsync'd and its size and digest checked.
    /// </summary>
    internal void CommitIngest(IngestDirectory ingest, Digest digest, IReadOnlyDictionary<string, string>? labels)
    {
        string target = GetBlobPath(digest);
        string directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory, PrivateDirectory);
        if (File.Exists(target))
        {
            ingest.Remove();
            throw new AlreadyExistsException("blob", digest.ToString());
        }

        // Read-only and dated before it is renamed, so the blob never shows a writable or
        // half-set state under blobs/.
        DateTimeOffset committedAt = DateTimeOffset.UtcNow;
        File.SetLastWriteTimeUtc(ingest.DataPath, committedAt.UtcDateTime);
        File.SetUnixFileMode(ingest.DataPath, ReadOnlyBlob);
        if (!Interop.RenameNoReplace(ingest.DataPath, target))
        {
            // Another ingest committed the same content between our check and the rename.
            ingest.Remove();
            throw new AlreadyExistsException("blob", digest.ToString());
        }

        Interop.FsyncDirectory(directory);
        ingest.Remove();
        if (labels is not null)
        {
            _labels.Set(digest, labels, committedAt);
        }
        else
        {
            _labels.Touch(digest, committedAt);
        }
    }

    /// <summary>Feeds a whole file to a hasher; returns its length.</summary>
    internal static async Task<long> HashFileAsync(SafeFileHandle handle, IncrementalHash hasher, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(HashBufferSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                offset += read;
            }

            return offset;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsResumable(ContentStatus status, string reference, long total, Digest expected) =>
        status.Ref == reference
        && (total == 0 || status.Total == 0 || total == status.Total)
        && (expected.IsEmpty || status.Expected.IsEmpty || expected == status.Expected);

    private ContentInfo ToInfo(Digest digest, FileInfo file)
    {
        (Dictionary<string, string> labels, DateTimeOffset? updatedAt) = _labels.Get(digest);
        var createdAt = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
        return new ContentInfo
        {
            Digest = digest,
            Size = file.Length,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt ?? createdAt,
            Labels = labels,
        };
    }

    private static string? LookupInfoField(ContentInfo info, IReadOnlyList<string> path) => path switch
    {
        ["digest"] => info.Digest.ToString(),
        ["size"] => info.Size.ToString(CultureInfo.InvariantCulture),
        _ => ContentFilter.LookupLabel(path, info.Labels),
    };
}
