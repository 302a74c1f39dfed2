using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>The platform an image or manifest is built for (image-spec <c>platform</c> object).</summary>
public sealed class Platform
{
    /// <summary>CPU architecture in GOARCH form: <c>amd64</c>, <c>arm64</c>, <c>arm</c>, <c>386</c>…</summary>
    [JsonPropertyName("architecture")]
    public required string Architecture { get; set; }

    /// <summary>Operating system in GOOS form: <c>linux</c>, <c>windows</c>…</summary>
    [JsonPropertyName("os")]
    public required string OS { get; set; }

    /// <summary>Operating system version, for example <c>10.0.14393.1066</c> on Windows.</summary>
    [JsonPropertyName("os.version")]
    public string? OSVersion { get; set; }

    /// <summary>Required operating system features, for example <c>win32k</c>.</summary>
    [JsonPropertyName("os.features")]
    public IList<string>? OSFeatures { get; set; }

    /// <summary>CPU variant, for example <c>v7</c> for ARMv7 or <c>v8</c> for arm64.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; set; }

    /// <summary>Reserved by the image-spec; carried but not interpreted.</summary>
    [JsonPropertyName("features")]
    public IList<string>? Features { get; set; }

    /// <summary>The platform as a specifier, for example <c>linux/arm/v7</c> or <c>windows(10.0.17763)/amd64</c>.</summary>
    public override string ToString() => Platforms.FormatAll(this);
}
