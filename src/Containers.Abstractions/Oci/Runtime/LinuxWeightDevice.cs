using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A block I/O weight for one device.</summary>
public sealed class LinuxWeightDevice : LinuxBlockIODevice
{
    /// <summary>The weight, 10 to 1000.</summary>
    [JsonPropertyName("weight")]
    public ushort? Weight { get; set; }

    /// <summary>The weight against child cgroups (CFQ only).</summary>
    [JsonPropertyName("leafWeight")]
    public ushort? LeafWeight { get; set; }
}
