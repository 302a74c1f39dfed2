namespace Containers.Linux.Supervision;

/// <summary>The process states in the shim protocol.</summary>
internal static class ShimStatus
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
}
