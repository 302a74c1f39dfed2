using System.Globalization;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs state id</c>: the runtime-spec state as JSON, as runc prints it.</summary>
internal static class StateCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        ContainerRecord record = store.Load(Verbs.SingleId(line));
        Output.Out(OciJson.SerializeToUtf8Bytes(ViewOf(record, store), RuncsJsonContext.Default.StateView));
        Output.Out("\n");
        return 0;
    }

    /// <summary>The printed view of a record, with its live status.</summary>
    public static StateView ViewOf(ContainerRecord record, ContainerStore store)
    {
        string status = store.StatusOf(record);
        return new StateView
        {
            OciVersion = record.OciVersion,
            Id = record.Id,
            Pid = status == ContainerStatus.Stopped ? 0 : record.Pid,
            Status = status,
            Bundle = record.Bundle,
            Rootfs = record.Rootfs,
            Created = record.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            Annotations = record.Annotations is { Count: > 0 } ? record.Annotations : null,
        };
    }
}
