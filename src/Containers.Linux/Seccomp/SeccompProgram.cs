using System.Runtime.InteropServices;

namespace Containers.Linux.Seccomp;

/// <summary>
/// A compiled seccomp filter. This is the seam to the container child: as its last step before
/// <c>execve</c> the child calls <c>prctl(PR_SET_NO_NEW_PRIVS, 1)</c> (unless it keeps privileges) and
/// <c>seccomp(SECCOMP_SET_MODE_FILTER, <see cref="Flags"/>, &amp;prog)</c> where
/// <c>prog = { len = Instructions.Length, filter = pointer to <see cref="AsSpan"/> }</c>. When
/// <see cref="Flags"/> contains <see cref="SeccompFilterFlags.NewListener"/> the call returns the notify fd,
/// which goes to <see cref="ListenerPath"/> (see <see cref="SeccompNotifySender"/>).
/// The program holds no pointers, so it can be built before <c>fork</c>/<c>clone</c> and used after.
/// </summary>
public sealed class SeccompProgram
{
    private readonly SockFilter[] _instructions;

    internal SeccompProgram(
        SockFilter[] instructions,
        SeccompFilterFlags flags,
        SeccompArchitecture nativeArchitecture,
        IReadOnlyList<SeccompArchitecture> architectures,
        SeccompActionType defaultAction,
        int syscallCount,
        string? listenerPath,
        string? listenerMetadata)
    {
        _instructions = instructions;
        Flags = flags;
        NativeArchitecture = nativeArchitecture;
        Architectures = architectures;
        DefaultAction = defaultAction;
        SyscallCount = syscallCount;
        ListenerPath = listenerPath;
        ListenerMetadata = listenerMetadata;
    }

    /// <summary>The kernel's limit on the length of one filter (<c>BPF_MAXINSNS</c>).</summary>
    public const int MaxInstructions = 4096;

    /// <summary>The instructions, for <c>struct sock_fprog.filter</c>.</summary>
    public ReadOnlySpan<SockFilter> AsSpan() => _instructions;

    /// <summary>The number of instructions (<c>struct sock_fprog.len</c>).</summary>
    public int Length => _instructions.Length;

    /// <summary>The flags to pass to seccomp(2), NEW_LISTENER included when a rule uses NOTIFY.</summary>
    public SeccompFilterFlags Flags { get; }

    /// <summary>The architecture the program was compiled for.</summary>
    public SeccompArchitecture NativeArchitecture { get; }

    /// <summary>Every architecture the program accepts; any other kills the caller.</summary>
    public IReadOnlyList<SeccompArchitecture> Architectures { get; }

    /// <summary>The profile's default action.</summary>
    public SeccompActionType DefaultAction { get; }

    /// <summary>How many distinct (architecture, syscall) pairs have rules.</summary>
    public int SyscallCount { get; }

    /// <summary>Whether the notify fd must be sent to an agent.</summary>
    public bool UsesNotify => (Flags & SeccompFilterFlags.NewListener) != 0;

    /// <summary>The agent's socket for the notify fd, if any.</summary>
    public string? ListenerPath { get; }

    /// <summary>Opaque data the agent receives with the notify fd.</summary>
    public string? ListenerMetadata { get; }

    /// <summary>The program as bytes in host byte order, as <c>seccomp_export_bpf</c> writes it.</summary>
    public byte[] ToBytes() => MemoryMarshal.AsBytes(_instructions.AsSpan()).ToArray();
}
