using Containers.Linux.Runtime;
using Containers.Oci.Runtime;
using Containers.Runc.State;
using OciState = Containers.Oci.Runtime.State;

namespace Containers.Runc.Commands;

/// <summary>
/// The lifecycle points where runcs runs OCI hooks, with the config.json copied into the
/// container's state directory at create (as runc keeps its own copy: later edits of the bundle
/// do not change a created container's hooks).
/// </summary>
internal static class ContainerHooks
{
    private const string ConfigName = "config.json";

    /// <summary>Whether the init stops before pivot_root for the prestart and createRuntime hooks (runc's procHooks).</summary>
    public static bool NeedsCreateStep(Spec spec) => spec.Hooks is { } h && (Count(h.Prestart) > 0 || Count(h.CreateRuntime) > 0);

    /// <summary>
    /// Keeps the config the container was created from when a later verb needs it (poststart at start,
    /// poststop at delete); a container without those hooks costs no copy on the create path.
    /// </summary>
    public static void Keep(ContainerStore store, string id, string configPath, Spec spec)
    {
        if (spec.Hooks?.Poststart is { Count: > 0 } || spec.Hooks?.Poststop is { Count: > 0 })
        {
            File.Copy(configPath, Path.Combine(store.DirectoryOf(id), ConfigName));
        }
    }

    /// <summary>
    /// prestart then createRuntime, with status "creating", while the init waits before pivot_root; a failure
    /// aborts the create (the spawner kills the init, the launcher removes the rest).
    /// </summary>
    /// <exception cref="HookException">A hook failed.</exception>
    public static void Created(Spec spec, ContainerRecord record, int pid)
    {
        record.Pid = pid;
        OciState state = StateOf(record, ContainerStatus.Creating);
        HookRunner.RunAll(spec.Hooks?.Prestart, "prestart", state, record.Bundle);
        HookRunner.RunAll(spec.Hooks?.CreateRuntime, "createRuntime", state, record.Bundle);
    }

    /// <summary>
    /// poststart after the user process was released; a failure is a warning (runtime-spec). The
    /// status is "created", as runc 1.1 passes it (its state is taken before the release).
    /// </summary>
    public static void Started(ContainerStore store, ContainerRecord record)
        => RunWarning(SpecOf(store, record.Id)?.Hooks?.Poststart, "poststart", StateOf(record, ContainerStatus.Created), record.Bundle);

    /// <summary>The state the init's createContainer/startContainer hooks get (the spawner sets pid and status), or null without such hooks.</summary>
    public static OciState? InContainerState(Spec spec, ContainerRecord record)
        => Count(spec.Hooks?.CreateContainer) + Count(spec.Hooks?.StartContainer) > 0 ? StateOf(record, ContainerStatus.Creating) : null;

    /// <summary>The kept spec of a container, read before its state directory is removed.</summary>
    public static Spec? SpecOf(ContainerStore store, string id)
    {
        string path = Path.Combine(store.DirectoryOf(id), ConfigName);
        return File.Exists(path) ? RuntimeSpecJson.ParseSpec(File.ReadAllBytes(path)) : null;
    }

    /// <summary>poststop after the container is deleted; a failure is a warning (runtime-spec).</summary>
    public static void Deleted(Spec? spec, ContainerRecord record)
        => RunWarning(spec?.Hooks?.Poststop, "poststop", StateOf(record, ContainerStatus.Stopped), record.Bundle);

    private static void RunWarning(IList<Hook>? hooks, string kind, OciState state, string bundle)
    {
        for (int i = 0; i < Count(hooks); i++)
        {
            try
            {
                HookRunner.Run(hooks![i], $"hooks.{kind}[{i}]", state, bundle);
            }
            catch (HookException ex)
            {
                RuntimeLog.Warning(ex.Message);
            }
        }
    }

    private static OciState StateOf(ContainerRecord record, string status) => new()
    {
        OciVersion = record.OciVersion,
        Id = record.Id,
        Status = status,
        Pid = status == ContainerStatus.Stopped ? null : record.Pid,
        Bundle = record.Bundle,
        Annotations = record.Annotations is { Count: > 0 } ? record.Annotations : null,
    };

    private static int Count(IList<Hook>? hooks) => hooks?.Count ?? 0;
}
