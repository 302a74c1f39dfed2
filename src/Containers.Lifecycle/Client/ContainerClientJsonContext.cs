using System.Text.Json.Serialization;

namespace Containers.Client;

/// <summary>Source-generated JSON for the runtime options the client records (<c>{"binaryName": …}</c>).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ContainerClientJsonContext : JsonSerializerContext;
