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
public sealed partial class ImageSpecJsonContext : JsonSerializerContext;
