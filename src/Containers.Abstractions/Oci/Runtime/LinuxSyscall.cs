using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A seccomp rule: an action for the named syscalls, optionally only when the arguments match.</summary>
public sealed class LinuxSyscall
{
    /// <summary>The syscall names; at least one.</summary>
    [JsonPropertyName("names")]
    public required IList<string> Names { get; set; }

    /// <summary>The <see cref="SeccompAction"/> taken.</summary>
    [JsonPropertyName("action")]
    public required string Action { get; set; }

    /// <summary>The errno returned; only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE.</summary>
    [JsonPropertyName("errnoRet")]
    public uint? ErrnoRet { get; set; }

    /// <summary>Argument conditions, all of which must hold.</summary>
    [JsonPropertyName("args")]
    public IList<LinuxSeccompArg>? Args { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
