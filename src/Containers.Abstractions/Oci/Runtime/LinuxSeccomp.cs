using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The seccomp filter of the container.</summary>
public sealed class LinuxSeccomp
{
    /// <summary>The <see cref="SeccompAction"/> for syscalls no rule matches.</summary>
    [JsonPropertyName("defaultAction")]
    public required string DefaultAction { get; set; }

    /// <summary>The errno of the default action; only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE.</summary>
    [JsonPropertyName("defaultErrnoRet")]
    public uint? DefaultErrnoRet { get; set; }

    /// <summary><see cref="SeccompArchitecture"/> values the filter covers.</summary>
    [JsonPropertyName("architectures")]
    public IList<string>? Architectures { get; set; }

    /// <summary><see cref="SeccompFilterFlag"/> values passed to seccomp(2).</summary>
    [JsonPropertyName("flags")]
    public IList<string>? Flags { get; set; }

    /// <summary>The UNIX socket the notify fd is sent to, for SCMP_ACT_NOTIFY.</summary>
    [JsonPropertyName("listenerPath")]
    public string? ListenerPath { get; set; }

    /// <summary>Opaque data sent with the notify fd.</summary>
    [JsonPropertyName("listenerMetadata")]
    public string? ListenerMetadata { get; set; }

    /// <summary>The rules, matched in order.</summary>
    [JsonPropertyName("syscalls")]
    public IList<LinuxSyscall>? Syscalls { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
