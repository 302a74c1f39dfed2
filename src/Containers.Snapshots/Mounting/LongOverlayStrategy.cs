namespace Containers.Snapshots.Mounting;

/// <summary>How <see cref="MountHelper"/> mounts an overlay whose options exceed one page.</summary>
internal enum LongOverlayStrategy
{
    /// <summary>fsopen/fsconfig with one <c>lowerdir+</c> per layer (Linux 6.8+).</summary>
    LowerDirPlus,

    /// <summary>mount(2) with directories relative to a held O_PATH descriptor through <c>/proc/self/fd</c>.</summary>
    DescriptorRelative,
}
