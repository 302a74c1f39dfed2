using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Containers.Content;

/// <summary>
/// The exclusive claim on one ingest directory: an in-process table (so that two stores on the same
/// root in one process exclude each other without a syscall race) plus flock(2) on a <c>lock</c>
/// file inside the directory (so that other processes are excluded too, and a crashed holder's
/// claim vanishes with it).
/// </summary>
internal sealed class IngestLock : IDisposable
{
    private const string LockFileName = "lock";
    private const int MaxAttempts = 16;

    private static readonly ConcurrentDictionary<string, byte> HeldInProcess = new(StringComparer.Ordinal);

    private readonly string _key;
    private SafeFileHandle? _fd;

    private IngestLock(string key, SafeFileHandle fd)
    {
        _key = key;
        _fd = fd;
    }

    /// <summary>Creates the ingest directory if needed and takes its lock without waiting.</summary>
    /// <exception cref="ResourceLockedException">Another writer, in this process or another, holds it.</exception>
    public static IngestLock Acquire(string ingestDirectory, string reference)
    {
        string key = Path.GetFullPath(ingestDirectory);
        if (!HeldInProcess.TryAdd(key, 0))
        {
            throw new ResourceLockedException(reference);
        }

        try
        {
            string lockPath = Path.Combine(key, LockFileName);
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                Directory.CreateDirectory(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                SafeFileHandle? fd = Interop.Open(lockPath, Interop.O_RDWR | Interop.O_CREAT, 0b110_000_000, out _, Interop.ENOENT);
                if (fd is null)
                {
                    // The previous holder removed the directory between our mkdir and open.
                    continue;
                }

                if (!Interop.TryLockExclusive(fd, lockPath))
                {
                    fd.Dispose();
                    throw new ResourceLockedException(reference);
                }

                // A holder that commits or aborts removes the directory, lock file included, before
                // it lets go; if we locked that orphaned file, the path now names another (or no)
                // file and the lock guards nothing.
                if (Interop.TryGetFileId(lockPath) == Interop.GetFileId(fd, lockPath))
                {
                    return new IngestLock(key, fd);
                }

                fd.Dispose();
            }

            throw new ResourceLockedException(reference);
        }
        catch
        {
            HeldInProcess.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>Releases the lock; the lock file stays unless its directory was removed.</summary>
    public void Dispose()
    {
        SafeFileHandle? fd = Interlocked.Exchange(ref _fd, null);
        if (fd is not null)
        {
            fd.Dispose();
            HeldInProcess.TryRemove(_key, out _);
        }
    }
}
