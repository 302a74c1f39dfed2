namespace Containers.Linux.Cgroups;

/// <summary>A per-device block I/O weight (<c>linux.resources.blockIO.weightDevice[]</c>).</summary>
internal sealed record BlockIODeviceWeight(long Major, long Minor, ushort? Weight, ushort? LeafWeight);
