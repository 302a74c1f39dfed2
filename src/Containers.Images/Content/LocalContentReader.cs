using Microsoft.Win32.SafeHandles;

namespace Containers.Content;

/// <summary>Positional reads (pread) of a committed blob file; safe for concurrent reads.</summary>
internal sealed class LocalContentReader : IContentReader
{
    private readonly SafeFileHandle _handle;

    public LocalContentReader(SafeFileHandle handle)
    {
        _handle = handle;
        Size = RandomAccess.GetLength(handle);
    }

    public long Size { get; }

    public ValueTask<int> ReadAtAsync(Memory<byte> buffer, long offset, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (offset >= Size || buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        // Blobs are immutable, so clamping to the size seen at open is exact.
        if (buffer.Length > Size - offset)
        {
            buffer = buffer[..(int)(Size - offset)];
        }

        return RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken);
    }

    public Stream AsStream() => new ContentReaderStream(this);

    public void Dispose() => _handle.Dispose();

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
