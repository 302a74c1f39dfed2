namespace Containers.Snapshots;

/// <summary>A failed system call, carrying its errno; raised only by <see cref="Interop"/>.</summary>
internal sealed class ErrnoException : IOException
{
    public ErrnoException(int errno, string operation, string? path)
        : base(path is null ? $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)}" : $"{operation} \"{path}\": {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The errno value, for example <see cref="Interop.ENOENT"/>.</summary>
    public int Errno { get; }
}
