using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>
/// Source-generated System.Text.Json metadata for the runtime-spec documents: <see cref="Spec"/>
/// (config.json), <see cref="State"/> and <see cref="Features"/>. Nulls are omitted on write, as Go's
/// <c>omitempty</c> does, so a document read and written again keeps its shape.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(Spec))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(Features))]
public sealed partial class RuntimeSpecJsonContext : JsonSerializerContext;
