namespace Containers.Runtime;

/// <summary>Options of <see cref="IContainerRuntime.CreateAsync"/>, as the flags of <c>runc create</c>.</summary>
public sealed record ContainerCreateOptions
{
    /// <summary>
    /// A unix socket path to which the pty master is sent (SCM_RIGHTS) when the spec asks for a terminal
    /// (<c>--console-socket</c>).
    /// </summary>
    public string? ConsoleSocket { get; init; }

    /// <summary>A file to write the container's init pid to (<c>--pid-file</c>).</summary>
    public string? PidFile { get; init; }

    /// <summary>Use <c>MS_MOVE</c> instead of <c>pivot_root</c>, for a rootfs on a ramdisk (<c>--no-pivot</c>).</summary>
    public bool NoPivot { get; init; }

    /// <summary>Do not create a new session keyring for the container (<c>--no-new-keyring</c>).</summary>
    public bool NoNewKeyring { get; init; }

    /// <summary>How many extra file descriptors, from fd 3 up, the container inherits (<c>--preserve-fds</c>).</summary>
    public int PreserveFds { get; init; }
}
