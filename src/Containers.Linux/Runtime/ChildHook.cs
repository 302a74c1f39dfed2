using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>One createContainer or startContainer hook, as the container's init runs it (in unmanaged memory).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildHook
{
    /// <summary>The file to execute (absolute).</summary>
    public byte* Path;

    /// <summary>argv, null-terminated.</summary>
    public byte** Argv;

    /// <summary>envp, null-terminated.</summary>
    public byte** Envp;

    /// <summary>The timeout in milliseconds, or -1 for none.</summary>
    public long TimeoutMilliseconds;

    /// <summary>The line written to stderr when a startContainer hook fails (nobody reads the status pipe by then).</summary>
    public byte* FailureMessage;

    /// <summary>Length of <see cref="FailureMessage"/>.</summary>
    public long FailureMessageLength;
}
