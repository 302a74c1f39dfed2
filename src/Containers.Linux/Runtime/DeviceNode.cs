namespace Containers.Linux.Runtime;

/// <summary>A device node to create in the container (the spec's <c>linux.devices</c> and the default devices).</summary>
/// <param name="Path">Absolute path inside the container, for example <c>/dev/null</c>.</param>
/// <param name="Type"><c>c</c> (or <c>u</c>) for a character device, <c>b</c> for a block device, <c>p</c> for a fifo.</param>
/// <param name="Major">Major number.</param>
/// <param name="Minor">Minor number.</param>
/// <param name="FileMode">Permission bits.</param>
/// <param name="Uid">Owner.</param>
/// <param name="Gid">Group.</param>
public sealed record DeviceNode(string Path, char Type, uint Major, uint Minor, uint FileMode, uint Uid, uint Gid)
{
    /// <summary>The devices every container gets, as runc creates them.</summary>
    public static IReadOnlyList<DeviceNode> Defaults { get; } =
    [
        new("/dev/null", 'c', 1, 3, 0x1B6, 0, 0),
        new("/dev/zero", 'c', 1, 5, 0x1B6, 0, 0),
        new("/dev/full", 'c', 1, 7, 0x1B6, 0, 0),
        new("/dev/random", 'c', 1, 8, 0x1B6, 0, 0),
        new("/dev/urandom", 'c', 1, 9, 0x1B6, 0, 0),
        new("/dev/tty", 'c', 5, 0, 0x1B6, 0, 0),
    ];
}
