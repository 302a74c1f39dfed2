namespace Containers.Linux.Cgroups;

/// <summary>A per-device block I/O throttle (bytes or operations per second).</summary>
internal sealed record BlockIODeviceRate(long Major, long Minor, ulong Rate);
