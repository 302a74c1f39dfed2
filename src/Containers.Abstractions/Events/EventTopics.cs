namespace Containers.Events;

/// <summary>The topics of the events the stack publishes; the same strings containerd uses.</summary>
public static class EventTopics
{
    /// <summary>A task was created (<see cref="Events.TaskCreate"/>).</summary>
    public const string TaskCreate = "/tasks/create";

    /// <summary>A task's init process started (<see cref="Events.TaskStart"/>).</summary>
    public const string TaskStart = "/tasks/start";

    /// <summary>A process of a task exited (<see cref="Events.TaskExit"/>).</summary>
    public const string TaskExit = "/tasks/exit";

    /// <summary>The OOM killer acted in a task's cgroup (<see cref="Events.TaskOom"/>).</summary>
    public const string TaskOom = "/tasks/oom";

    /// <summary>A task or an exec'd process was deleted (<see cref="Events.TaskDelete"/>).</summary>
    public const string TaskDelete = "/tasks/delete";

    /// <summary>A process was added to a task (<see cref="Events.TaskExecAdded"/>).</summary>
    public const string TaskExecAdded = "/tasks/exec-added";

    /// <summary>An exec'd process started (<see cref="Events.TaskExecStarted"/>).</summary>
    public const string TaskExecStarted = "/tasks/exec-started";

    /// <summary>A task was frozen (<see cref="Events.TaskPaused"/>).</summary>
    public const string TaskPaused = "/tasks/paused";

    /// <summary>A task was thawed (<see cref="Events.TaskResumed"/>).</summary>
    public const string TaskResumed = "/tasks/resumed";

    /// <summary>A task was checkpointed (<see cref="Events.TaskCheckpointed"/>).</summary>
    public const string TaskCheckpointed = "/tasks/checkpointed";

    /// <summary>A container record was created (<see cref="Events.ContainerCreate"/>).</summary>
    public const string ContainerCreate = "/containers/create";

    /// <summary>A container record was updated (<see cref="Events.ContainerUpdate"/>).</summary>
    public const string ContainerUpdate = "/containers/update";

    /// <summary>A container record was deleted (<see cref="Events.ContainerDelete"/>).</summary>
    public const string ContainerDelete = "/containers/delete";

    /// <summary>An image record was created (<see cref="Events.ImageCreate"/>).</summary>
    public const string ImageCreate = "/images/create";

    /// <summary>An image record was updated (<see cref="Events.ImageUpdate"/>).</summary>
    public const string ImageUpdate = "/images/update";

    /// <summary>An image record was deleted (<see cref="Events.ImageDelete"/>).</summary>
    public const string ImageDelete = "/images/delete";

    /// <summary>A blob was committed to the content store (<see cref="Events.ContentCreate"/>).</summary>
    public const string ContentCreate = "/content/create";

    /// <summary>A blob was deleted from the content store (<see cref="Events.ContentDelete"/>).</summary>
    public const string ContentDelete = "/content/delete";

    /// <summary>An active snapshot was prepared (<see cref="Events.SnapshotPrepare"/>).</summary>
    public const string SnapshotPrepare = "/snapshot/prepare";

    /// <summary>A snapshot was committed (<see cref="Events.SnapshotCommit"/>).</summary>
    public const string SnapshotCommit = "/snapshot/commit";

    /// <summary>A snapshot was removed (<see cref="Events.SnapshotRemove"/>).</summary>
    public const string SnapshotRemove = "/snapshot/remove";

    /// <summary>A namespace was created (<see cref="Events.NamespaceCreate"/>).</summary>
    public const string NamespaceCreate = "/namespaces/create";

    /// <summary>A namespace's labels were updated (<see cref="Events.NamespaceUpdate"/>).</summary>
    public const string NamespaceUpdate = "/namespaces/update";

    /// <summary>A namespace was deleted (<see cref="Events.NamespaceDelete"/>).</summary>
    public const string NamespaceDelete = "/namespaces/delete";

    /// <summary>Every topic above, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TaskCreate, TaskStart, TaskExit, TaskOom, TaskDelete, TaskExecAdded, TaskExecStarted, TaskPaused,
        TaskResumed, TaskCheckpointed, ContainerCreate, ContainerUpdate, ContainerDelete, ImageCreate,
        ImageUpdate, ImageDelete, ContentCreate, ContentDelete, SnapshotPrepare, SnapshotCommit,
        SnapshotRemove, NamespaceCreate, NamespaceUpdate, NamespaceDelete,
    ];
}
