namespace Containers.Linux.Supervision;

/// <summary>A request the shim refuses; becomes an error answer of <see cref="Kind"/>.</summary>
internal sealed class ShimFault(string kind, string message) : Exception(message)
{
    /// <summary>The error kind (<see cref="ShimErrorKind"/>).</summary>
    public string Kind { get; } = kind;
}
