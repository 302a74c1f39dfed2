namespace Containers.Snapshots.Mounting;

/// <summary>containerd 2.0's labels asking for a snapshot's files to appear owned by mapped ids.</summary>
internal static class IdMapLabels
{
    /// <summary>The user id mapping, <c>containerID:hostID:size[,...]</c>.</summary>
    public const string Uid = "containerd.io/snapshot/uidmapping";

    /// <summary>The group id mapping, in the same form.</summary>
    public const string Gid = "containerd.io/snapshot/gidmapping";
}
