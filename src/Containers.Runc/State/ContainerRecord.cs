using System.Text.Json.Serialization;

namespace Containers.Runc.State;

/// <summary>What runcs keeps on disk for one container (state.json under <c>--root/&lt;id&gt;</c>).</summary>
/// <remarks>state.json is written by <see cref="ContainerRecordWriter"/>: a new property goes there too (its tests fail until it does).</remarks>
internal sealed class ContainerRecord
{
    /// <summary>The container id.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; set; }

    /// <summary>runtime-spec version of the config.</summary>
    [JsonPropertyName("ociVersion")]
    public required string OciVersion { get; set; }

    /// <summary>Host pid of the init.</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>Start time of the init (field 22 of /proc/pid/stat), to detect pid reuse.</summary>
    [JsonPropertyName("pidStartTime")]
    public ulong PidStartTime { get; set; }

    /// <summary>Absolute bundle path.</summary>
    [JsonPropertyName("bundle")]
    public required string Bundle { get; set; }

    /// <summary>Absolute rootfs path.</summary>
    [JsonPropertyName("rootfs")]
    public required string Rootfs { get; set; }

    /// <summary>Creation time (UTC).</summary>
    [JsonPropertyName("created")]
    public DateTime Created { get; set; }

    /// <summary>The config's annotations.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>The container's resolved cgroup path (the same in every hierarchy), or null for none.</summary>
    [JsonPropertyName("cgroupPath")]
    public string? CgroupPath { get; set; }

    /// <summary>
    /// The resources in effect: the spec's (with the complete device list) at create, merged with
    /// every <c>update</c> since, as runc keeps them in its state's <c>cgroup_config</c>; null for a
    /// container recorded by an older runcs.
    /// </summary>
    [JsonIgnore]
    public Containers.Oci.Runtime.LinuxResources? Resources { get; set; }

    /// <summary><see cref="Resources"/> as written to state.json (see <see cref="SpecResources"/> for why it is boxed).</summary>
    [JsonPropertyName("resources")]
    [JsonInclude]
    internal SpecResources? ResourcesJson
    {
        get => Resources is null ? null : new SpecResources(Resources);
        set => Resources = value?.Value;
    }
}
