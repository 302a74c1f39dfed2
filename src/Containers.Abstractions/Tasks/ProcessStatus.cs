namespace Containers.Tasks;

/// <summary>The lifecycle state of a task or of one of its exec'd processes.</summary>
public enum ProcessStatus
{
    /// <summary>Not known (a default value, or the runtime did not say).</summary>
    Unknown = 0,

    /// <summary>Created, not started yet.</summary>
    Created = 1,

    /// <summary>Running.</summary>
    Running = 2,

    /// <summary>Exited; the exit status is available.</summary>
    Stopped = 3,

    /// <summary>Frozen.</summary>
    Paused = 4,

    /// <summary>Being frozen.</summary>
    Pausing = 5,
}
