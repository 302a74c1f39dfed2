namespace Containers.Runtime;

/// <summary>Options of <see cref="IContainerRuntime.ExecAsync"/>, as the flags of <c>runc exec</c>.</summary>
public sealed record ContainerExecOptions
{
    /// <summary>A unix socket path to which the pty master is sent when the process asks for a terminal.</summary>
    public string? ConsoleSocket { get; init; }

    /// <summary>A file to write the new process's host pid to.</summary>
    public string? PidFile { get; init; }

    /// <summary>How many extra file descriptors, from fd 3 up, the process inherits.</summary>
    public int PreserveFds { get; init; }
}
