namespace Containers.Metadata;

/// <summary>Which runtime runs a container's tasks, and its options.</summary>
/// <param name="Name">The runtime name, for example <c>io.containerd.runc.v2</c> or <c>runcs</c>.</param>
public sealed record RuntimeInfo(string Name)
{
    /// <summary>Runtime-specific options as UTF-8 JSON, or empty for none. Stored verbatim.</summary>
    public ReadOnlyMemory<byte> Options { get; init; }
}
