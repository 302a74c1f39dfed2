using System.Text.Json.Serialization;

namespace Containers.Runc.State;

/// <summary>Source-generated JSON for runcs's own files and output (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, IndentSize = 2)]
[JsonSerializable(typeof(ContainerRecord))]
[JsonSerializable(typeof(StateView))]
[JsonSerializable(typeof(List<StateView>))]
[JsonSerializable(typeof(Containers.Oci.Runtime.LinuxResources))]
[JsonSerializable(typeof(Containers.Oci.Runtime.ProcessSpec))]
internal sealed partial class RuncsJsonContext : JsonSerializerContext;
