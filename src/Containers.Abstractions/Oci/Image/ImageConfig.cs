using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// The image configuration JSON (<see cref="MediaTypes.ImageConfig"/>, and Docker's
/// <see cref="MediaTypes.DockerImageConfig"/>): the platform, the defaults for running a container,
/// the layer diff ids and the build history.
/// </summary>
public sealed class ImageConfig
{
    /// <summary>When the image was created, as an RFC 3339 date-time.</summary>
    /// <remarks>Kept as text: images carry nanosecond precision that <see cref="DateTimeOffset"/> would round away, changing the config's digest on re-serialisation.</remarks>
    [JsonPropertyName("created")]
    public string? Created { get; set; }

    /// <summary>The person or entity that created the image.</summary>
    [JsonPropertyName("author")]
    public string? Author { get; set; }

    /// <summary>CPU architecture in GOARCH form.</summary>
    [JsonPropertyName("architecture")]
    public required string Architecture { get; set; }

    /// <summary>Operating system in GOOS form.</summary>
    [JsonPropertyName("os")]
    public required string OS { get; set; }

    /// <summary>Operating system version, for example on Windows.</summary>
    [JsonPropertyName("os.version")]
    public string? OSVersion { get; set; }

    /// <summary>Required operating system features.</summary>
    [JsonPropertyName("os.features")]
    public IList<string>? OSFeatures { get; set; }

    /// <summary>CPU variant, for example <c>v7</c>.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; set; }

    /// <summary>The defaults for a container run from this image.</summary>
    [JsonPropertyName("config")]
    public ContainerConfig? Config { get; set; }

    /// <summary>The layers' uncompressed digests.</summary>
    [JsonPropertyName("rootfs")]
    public required RootFs RootFs { get; set; }

    /// <summary>How each layer was made, oldest first.</summary>
    [JsonPropertyName("history")]
    public IList<HistoryEntry>? History { get; set; }

    /// <summary>Fields this version does not know (Docker's <c>container</c>, <c>docker_version</c>…), kept for a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>The platform this image is built for, from <see cref="Architecture"/>, <see cref="OS"/> and friends.</summary>
    public Platform ToPlatform() => new()
    {
        Architecture = Architecture,
        OS = OS,
        OSVersion = OSVersion,
        OSFeatures = OSFeatures is null ? null : [.. OSFeatures],
        Variant = Variant,
    };
}
