using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>The <c>oci-layout</c> file at the root of an OCI image layout directory.</summary>
public sealed class ImageLayout
{
    /// <summary>The only layout version the image-spec defines.</summary>
    public const string CurrentVersion = "1.0.0";

    /// <summary>The name of the file in the layout directory.</summary>
    public const string FileName = "oci-layout";

    /// <summary>The layout version, <c>1.0.0</c>.</summary>
    [JsonPropertyName("imageLayoutVersion")]
    public required string ImageLayoutVersion { get; set; }
}
