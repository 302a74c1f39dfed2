namespace Containers.Diff;

/// <summary>
/// One contiguous range of a user or group id mapping, as in <c>/proc/&lt;pid&gt;/uid_map</c>:
/// ids <c>ContainerId .. ContainerId + Size - 1</c> inside map to <c>HostId ..</c> outside.
/// </summary>
/// <param name="ContainerId">First id as the layer (the container) sees it.</param>
/// <param name="HostId">First id as written to the host file system.</param>
/// <param name="Size">Number of ids in the range; at least 1.</param>
public readonly record struct IdMapRange(uint ContainerId, uint HostId, uint Size);
