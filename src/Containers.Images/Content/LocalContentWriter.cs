using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Containers.Content;

/// <summary>
/// An open ingest of a <see cref="LocalContentStore"/>: positional writes to <c>data</c> in the ingest
/// directory, hashed as they go. Holds the ingest's lock until it is committed or disposed.
/// </summary>
internal sealed class LocalContentWriter : IContentWriter
{
    private readonly LocalContentStore _store;
    private readonly IngestDirectory _ingest;
    private readonly IngestLock _lock;
    private readonly IncrementalHash _hasher;
    private readonly DigestAlgorithm _algorithm;
    private readonly long _total;
    private readonly Digest _expected;
    private readonly DateTimeOffset _startedAt;
    private SafeFileHandle? _data;
    private long _offset;
    private DateTimeOffset _updatedAt;
    private bool _faulted;
    private bool _released;
    private Digest _finalDigest;

    public LocalContentWriter(LocalContentStore store, IngestDirectory ingest, IngestLock ingestLock, SafeFileHandle data,
        IncrementalHash hasher, DigestAlgorithm algorithm, ContentStatus status)
    {
        _store = store;
        _ingest = ingest;
        _lock = ingestLock;
        _data = data;
        _hasher = hasher;
        _algorithm = algorithm;
        _offset = status.Offset;
        _total = status.Total;
        _expected = status.Expected;
        _startedAt = status.StartedAt;
        _updatedAt = status.UpdatedAt;
    }

    public string Ref => _ingest.Reference;

    public Digest Digest
    {
        get
        {
            if (_released)
            {
                return _finalDigest;
            }

            Span<byte> hash = stackalloc byte[64];
            int length = _hasher.GetCurrentHash(hash);
            return Digest.FromHash(_algorithm, hash[..length]);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        SafeFileHandle handle = ThrowIfFinished();
        if (data.IsEmpty)
        {
            return;
        }

        // The write runs on the thread pool (file handles are synchronous on Unix), so hashing the
        // same buffer meanwhile overlaps the two instead of adding them up.
        ValueTask write = RandomAccess.WriteAsync(handle, data, _offset, cancellationToken);
        try
        {
            _hasher.AppendData(data.Span);
        }
        finally
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch
            {
                // The hash now covers bytes the file may not hold. Reopening the ref re-hashes the
                // file, which is the only way back to a consistent state.
                _faulted = true;
                throw;
            }
        }

        _offset += data.Length;
        _updatedAt = DateTimeOffset.UtcNow;
    }

    public Task<ContentStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ContentStatus
        {
            Ref = Ref,
            Offset = _offset,
            Total = _total,
            Expected = _expected,
            StartedAt = _startedAt,
            UpdatedAt = _updatedAt,
        });

    public async Task CommitAsync(long size, Digest expected, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        SafeFileHandle handle = ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();
        if (labels is not null)
        {
            // Before anything: the blob must not be committed and then miss its labels.
            ContentLabelStore.Validate(labels!, nameof(labels));
        }

        // As in containerd, a commit finishes the writer whatever its outcome: the lock is released
        // and the ingest either became a blob, was removed, or stays to be resumed.
        _data = null;
        try
        {
            long actualSize;
            Digest actual;
            using (handle)
            {
                RandomAccess.FlushToDisk(handle);
                actualSize = RandomAccess.GetLength(handle);
                actual = !expected.IsEmpty && expected.Algorithm != _algorithm
                    ? await RehashAsync(handle, expected.Algorithm, cancellationToken).ConfigureAwait(false)
                    : Digest;
            }

            if (size > 0 && size != actualSize)
            {
                throw new DigestMismatchException(expected.IsEmpty ? actual : expected, size, actualSize);
            }

            if (!expected.IsEmpty && expected != actual)
            {
                throw new DigestMismatchException(expected, actual);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _store.CommitIngest(_ingest, actual, labels);
        }
        catch (Exception e) when (e is not AlreadyExistsException)
        {
            // Whatever stays of the ingest must still read as resumable.
            TryWriteUpdatedAt();
            throw;
        }
        finally
        {
            Release();
        }
    }

    public Task TruncateAsync(long size, CancellationToken cancellationToken = default)
    {
        SafeFileHandle handle = ThrowIfFinished();
        if (size != 0)
        {
            throw new UnsupportedException($"truncating an ingest to {size} bytes: only 0 (restart) is supported");
        }

        cancellationToken.ThrowIfCancellationRequested();
        RandomAccess.SetLength(handle, 0);
        _hasher.GetHashAndReset();
        _offset = 0;
        _updatedAt = DateTimeOffset.UtcNow;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        SafeFileHandle? handle = Interlocked.Exchange(ref _data, null);
        if (handle is not null)
        {
            try
            {
                // Closing keeps the progress (containerd's Close); syncing makes it survive a crash too.
                using (handle)
                {
                    RandomAccess.FlushToDisk(handle);
                }

                TryWriteUpdatedAt();
            }
            finally
            {
                Release();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Hashes the whole data file with another algorithm, for an expected digest of that kind.</summary>
    internal static async Task<Digest> RehashAsync(SafeFileHandle handle, DigestAlgorithm algorithm, CancellationToken cancellationToken)
    {
        using IncrementalHash hasher = Digest.CreateHasher(algorithm);
        await LocalContentStore.HashFileAsync(handle, hasher, cancellationToken).ConfigureAwait(false);
        return Digest.FromHash(algorithm, hasher.GetHashAndReset());
    }

    private SafeFileHandle ThrowIfFinished()
    {
        if (_data is not { } handle)
        {
            throw new FailedPreconditionException($"the writer for ingest \"{Ref}\" is committed or closed");
        }

        if (_faulted)
        {
            throw new FailedPreconditionException($"a write to ingest \"{Ref}\" failed; dispose this writer and open the ref again to resume");
        }

        return handle;
    }

    private void TryWriteUpdatedAt()
    {
        try
        {
            _ingest.WriteUpdatedAt(_updatedAt);
        }
        catch (IOException)
        {
            // Best effort (the disk may be full): the data file's mtime stands in for it.
        }
    }

    private void Release()
    {
        // Digest stays readable after the writer is finished, as containerd's does.
        _finalDigest = Digest;
        _released = true;
        _hasher.Dispose();
        _lock.Dispose();
    }
}
