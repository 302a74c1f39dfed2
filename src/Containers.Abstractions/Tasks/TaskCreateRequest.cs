namespace Containers.Tasks;

/// <summary>What <see cref="ITaskService.CreateAsync"/> needs to create a container's task.</summary>
/// <param name="ContainerId">The container id; also the task id.</param>
/// <param name="Bundle">The bundle directory holding <c>config.json</c>.</param>
public sealed record TaskCreateRequest(string ContainerId, string Bundle)
{
    /// <summary>The mounts that make the root filesystem, mounted at <c>rootfs</c> in the bundle; empty when the bundle has it.</summary>
    public IReadOnlyList<Mount> Rootfs { get; init; } = [];

    /// <summary>Where the init process's streams go.</summary>
    public TaskIO IO { get; init; } = TaskIO.None;

    /// <summary>A checkpoint directory to restore from, or <see langword="null"/>.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Runtime-specific options as UTF-8 JSON, or empty.</summary>
    public ReadOnlyMemory<byte> Options { get; init; }
}
