using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Containers.Oci.Runtime;

namespace Containers.Runc.State;

/// <summary>
/// Reads and writes <see cref="SpecResources"/> with the runtime-spec context's metadata for
/// <see cref="LinuxResources"/>, which parsing config.json has already built.
/// </summary>
internal sealed class SpecResourcesConverter : JsonConverter<SpecResources>
{
    private static JsonTypeInfo<LinuxResources> TypeInfo
        => (JsonTypeInfo<LinuxResources>)RuntimeSpecJsonContext.Default.GetTypeInfo(typeof(LinuxResources))!;

    public override SpecResources? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => JsonSerializer.Deserialize(ref reader, TypeInfo) is LinuxResources value ? new SpecResources(value) : null;

    public override void Write(Utf8JsonWriter writer, SpecResources value, JsonSerializerOptions options)
        => JsonSerializer.Serialize(writer, value.Value, TypeInfo);
}
