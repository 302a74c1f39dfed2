using System.Text.Json.Serialization;
using Containers.Oci.Runtime;

namespace Containers.Runc.State;

/// <summary>
/// <see cref="ContainerRecord.Resources"/> as state.json stores it. System.Text.Json configures a type's whole
/// property graph when it first uses the type, and under NativeAOT building each type's metadata reflects over
/// its attributes (about 40 µs a type). A property typed <see cref="LinuxResources"/> made every save of
/// state.json build the ~30 types of that graph again in <see cref="RuncsJsonContext"/> (about 1 ms of each
/// create and run); behind this box, whose converter is on the type, the runtime-spec context's metadata is used.
/// </summary>
/// <param name="Value">The resources.</param>
[JsonConverter(typeof(SpecResourcesConverter))]
internal sealed record SpecResources(LinuxResources Value);
