using System.Text.Json.Serialization;
using Containers.Oci.Runtime;

namespace Containers.Linux.Seccomp;

/// <summary>
/// What a seccomp agent at <c>listenerPath</c> receives with the notify fd (runtime-spec
/// "containerProcessState"; runc and crun send the same JSON, the fds travelling as SCM_RIGHTS).
/// </summary>
public sealed class ContainerProcessState
{
    /// <summary>The file-descriptor name for the seccomp notify fd in <see cref="Fds"/>.</summary>
    public const string SeccompFdName = "seccompFd";

    /// <summary>The runtime-spec version.</summary>
    [JsonPropertyName("ociVersion")]
    public required string OciVersion { get; set; }

    /// <summary>Names of the fds sent along, in SCM_RIGHTS order.</summary>
    [JsonPropertyName("fds")]
    public IList<string> Fds { get; set; } = [SeccompFdName];

    /// <summary>The pid of the process whose filter the fd belongs to.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>The profile's <c>listenerMetadata</c>.</summary>
    [JsonPropertyName("metadata")]
    public string? Metadata { get; set; }

    /// <summary>The container's state.</summary>
    [JsonPropertyName("state")]
    public required State State { get; set; }
}
