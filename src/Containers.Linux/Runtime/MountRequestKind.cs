namespace Containers.Linux.Runtime;

/// <summary>
/// What a <see cref="MountRequest"/> asks the child for. Only the runtime's own expansions (the
/// cgroup tmpfs) use the kinds other than <see cref="Mount"/>; config.json mounts are always mounts.
/// </summary>
public enum MountRequestKind
{
    /// <summary>Mount <see cref="MountRequest.Source"/> at the destination.</summary>
    Mount,

    /// <summary>
    /// Change the attributes of the mount already at the destination (its options, e.g. <c>ro</c>),
    /// after the mounts below it are in place; nothing new is mounted.
    /// </summary>
    Remount,

    /// <summary>Create a symbolic link at the destination whose target is <see cref="MountRequest.Source"/>, verbatim.</summary>
    Symlink,
}
