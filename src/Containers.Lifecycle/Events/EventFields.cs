using System.Globalization;

namespace Containers.Events;

/// <summary>
/// Exposes an event's payload to filters under <c>event.&lt;field&gt;</c> with the field names of
/// containerd's protobuf event messages (<c>event.container_id==web</c>, <c>event.exit_status==137</c>,
/// <c>event.labels."k"==v</c>), as containerd's exchange adapts the payload of its envelopes.
/// </summary>
internal static class EventFields
{
    /// <summary>The value at <paramref name="path"/> (the part after <c>event</c>) and whether it is present.</summary>
    public static (string Value, bool Present) Get(ContainerEvent payload, IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return (string.Empty, false);
        }

        string field = path[0];
        if (path.Count > 1)
        {
            return (field, payload) switch
            {
                ("labels", ContainerUpdate e) => Label(e.Labels, path),
                ("labels", ImageCreate e) => Label(e.Labels, path),
                ("labels", ImageUpdate e) => Label(e.Labels, path),
                ("labels", NamespaceCreate e) => Label(e.Labels, path),
                ("labels", NamespaceUpdate e) => Label(e.Labels, path),
                ("runtime", ContainerCreate e) when path is [_, "name"] => (e.Runtime.Name, true),
                _ => (string.Empty, false),
            };
        }

        string? value = (field, payload) switch
        {
            ("container_id", TaskCreate e) => e.ContainerId,
            ("container_id", TaskStart e) => e.ContainerId,
            ("container_id", TaskExit e) => e.ContainerId,
            ("container_id", TaskOom e) => e.ContainerId,
            ("container_id", TaskDelete e) => e.ContainerId,
            ("container_id", TaskExecAdded e) => e.ContainerId,
            ("container_id", TaskExecStarted e) => e.ContainerId,
            ("container_id", TaskPaused e) => e.ContainerId,
            ("container_id", TaskResumed e) => e.ContainerId,
            ("container_id", TaskCheckpointed e) => e.ContainerId,
            ("id", TaskExit e) => e.Id,
            ("id", TaskDelete e) => e.Id,
            ("id", ContainerCreate e) => e.Id,
            ("id", ContainerUpdate e) => e.Id,
            ("id", ContainerDelete e) => e.Id,
            ("pid", TaskCreate e) => Number(e.Pid),
            ("pid", TaskStart e) => Number(e.Pid),
            ("pid", TaskExit e) => Number(e.Pid),
            ("pid", TaskDelete e) => Number(e.Pid),
            ("pid", TaskExecStarted e) => Number(e.Pid),
            ("exit_status", TaskExit e) => Number(e.ExitCode),
            ("exit_status", TaskDelete e) => Number(e.ExitCode),
            ("exec_id", TaskExecAdded e) => e.ExecId,
            ("exec_id", TaskExecStarted e) => e.ExecId,
            ("bundle", TaskCreate e) => e.Bundle,
            ("checkpoint", TaskCreate e) => e.Checkpoint,
            ("checkpoint", TaskCheckpointed e) => e.Checkpoint,
            ("image", ContainerCreate e) => e.Image,
            ("image", ContainerUpdate e) => e.Image,
            ("snapshot_key", ContainerUpdate e) => e.SnapshotKey,
            ("name", ImageCreate e) => e.Name,
            ("name", ImageUpdate e) => e.Name,
            ("name", ImageDelete e) => e.Name,
            ("name", NamespaceCreate e) => e.Name,
            ("name", NamespaceUpdate e) => e.Name,
            ("name", NamespaceDelete e) => e.Name,
            ("name", SnapshotCommit e) => e.Name,
            ("key", SnapshotPrepare e) => e.Key,
            ("key", SnapshotCommit e) => e.Key,
            ("key", SnapshotRemove e) => e.Key,
            ("parent", SnapshotPrepare e) => e.Parent,
            ("snapshotter", SnapshotPrepare e) => e.Snapshotter,
            ("snapshotter", SnapshotCommit e) => e.Snapshotter,
            ("snapshotter", SnapshotRemove e) => e.Snapshotter,
            ("digest", ContentCreate e) => e.Digest.ToString(),
            ("digest", ContentDelete e) => e.Digest.ToString(),
            ("size", ContentCreate e) => Number(e.Size),
            _ => null,
        };
        return value is null ? (string.Empty, false) : (value, true);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static (string Value, bool Present) Label(IReadOnlyDictionary<string, string> labels, IReadOnlyList<string> path) =>
        labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) ? (value, true) : (string.Empty, false);
}
