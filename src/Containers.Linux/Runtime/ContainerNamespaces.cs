namespace Containers.Linux.Runtime;

/// <summary>The namespaces a container child is created in (new ones; <see cref="NamespaceJoin"/> names existing ones to join).</summary>
[Flags]
public enum ContainerNamespaces
{
    /// <summary>No new namespace.</summary>
    None = 0,

    /// <summary>A mount namespace (required to set up a rootfs).</summary>
    Mount = 1,

    /// <summary>A UTS namespace (hostname, domain name).</summary>
    Uts = 2,

    /// <summary>An IPC namespace.</summary>
    Ipc = 4,

    /// <summary>A PID namespace: the container's process is pid 1.</summary>
    Pid = 8,

    /// <summary>A network namespace (loopback only, down).</summary>
    Network = 16,

    /// <summary>A cgroup namespace.</summary>
    Cgroup = 32,

    /// <summary>A user namespace; the spawner writes its uid and gid maps before it releases the child.</summary>
    User = 64,

    /// <summary>A time namespace (only joined, by exec; runcs does not create one).</summary>
    Time = 128,
}
