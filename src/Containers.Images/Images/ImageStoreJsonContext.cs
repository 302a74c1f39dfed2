using System.Text.Json.Serialization;

namespace Containers.Images;

/// <summary>Source-generated JSON for the image store's label column (NativeAOT-safe).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ImageStoreJsonContext : JsonSerializerContext;
