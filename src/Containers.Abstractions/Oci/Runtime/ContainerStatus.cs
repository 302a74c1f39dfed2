namespace Containers.Oci.Runtime;

/// <summary>The <c>status</c> values of the runtime-spec state, as strings on the wire.</summary>
public static class ContainerStatus
{
    /// <summary>The container is being created.</summary>
    public const string Creating = "creating";

    /// <summary>Created: the init is blocked before the user program.</summary>
    public const string Created = "created";

    /// <summary>The user program is running.</summary>
    public const string Running = "running";

    /// <summary>The container's process has exited.</summary>
    public const string Stopped = "stopped";

    /// <summary>Frozen (runc extension, reported by <c>runc state</c>).</summary>
    public const string Paused = "paused";
}
