using Microsoft.Win32.SafeHandles;

namespace Containers.Linux;

/// <summary>Owns one file descriptor and closes it exactly once.</summary>
internal sealed class SafeFdHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Creates an empty handle, for marshalling.</summary>
    public SafeFdHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public SafeFdHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <summary>The descriptor number; only valid while the handle is open.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle < 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}
