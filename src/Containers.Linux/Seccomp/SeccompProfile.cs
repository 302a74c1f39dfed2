namespace Containers.Linux.Seccomp;

/// <summary>
/// A validated seccomp profile: the compiler's input, mapped from the OCI <c>linux.seccomp</c> object by
/// <see cref="SeccompCompiler.Compile(Containers.Oci.Runtime.LinuxSeccomp, SeccompArchitecture)"/>.
/// </summary>
/// <param name="DefaultAction">What happens to syscalls no rule matches.</param>
/// <param name="DefaultData">The errno (or trace message) of the default action.</param>
/// <param name="Architectures">Extra architectures to cover besides the native one.</param>
/// <param name="Flags">Flags for seccomp(2).</param>
/// <param name="Rules">The rules, in profile order.</param>
/// <param name="ListenerPath">Where the notify fd goes (<c>listenerPath</c>), if any.</param>
/// <param name="ListenerMetadata">Opaque data sent along with the notify fd.</param>
public sealed record SeccompProfile(
    SeccompActionType DefaultAction,
    uint DefaultData,
    IReadOnlyList<SeccompArchitecture> Architectures,
    SeccompFilterFlags Flags,
    IReadOnlyList<SeccompRule> Rules,
    string? ListenerPath = null,
    string? ListenerMetadata = null);
