using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>Source-generated (NativeAOT-safe) JSON metadata for the image-spec types.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(ImageLayout))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(Platform))]
public sealed partial class ImageSpecJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context <see cref="ImageSpecJson"/> writes with: as <see cref="Default"/>, but escaping strings
    /// as Go does, so documents come out byte for byte as containerd or Docker would write them.
    /// </summary>
    public static ImageSpecJsonContext GoCompatible { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = GoJsonEncoder.Instance,
    });
}
