using System.Globalization;
using System.Runtime.InteropServices;
using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>The spawner's side of the hooks: the states for the init's hooks, the pause before pivot_root, hook failures.</summary>
public sealed partial class ContainerSpawner
{
    /// <summary>
    /// Writes the createContainer ("creating") and startContainer ("created") states, each length-prefixed, before the
    /// child is released; both fit in the pipe, so this never blocks on the waiting child.
    /// </summary>
    private static void WriteHookStates(SafeFdHandle pipe, SpawnPlan plan, int pid)
    {
        State template = plan.ContainerHookState!;
        byte[] creating = RuntimeSpecJson.Serialize(WithPid(template, pid, ContainerStatus.Creating));
        byte[] created = RuntimeSpecJson.Serialize(WithPid(template, pid, ContainerStatus.Created));
        if (creating.Length + created.Length + (2 * sizeof(long)) > ChildProgram.HookStateCapacity)
        {
            throw new HookException("hooks", string.Create(CultureInfo.InvariantCulture, $"the state is too large to pass on stdin (more than {ChildProgram.HookStateCapacity} bytes)"));
        }

        byte[] message = new byte[creating.Length + created.Length + (2 * sizeof(long))];
        BitConverter.TryWriteBytes(message.AsSpan(0, sizeof(long)), (long)creating.Length);
        creating.CopyTo(message, sizeof(long));
        BitConverter.TryWriteBytes(message.AsSpan(sizeof(long) + creating.Length, sizeof(long)), (long)created.Length);
        created.CopyTo(message, (2 * sizeof(long)) + creating.Length);
        Interop.WriteFully(pipe.Fd, message);
    }

    private static State WithPid(State template, int pid, string status) => new()
    {
        OciVersion = template.OciVersion,
        Id = template.Id,
        Status = status,
        Pid = pid,
        Bundle = template.Bundle,
        Annotations = template.Annotations,
    };

    /// <summary>Reads the child's "stopped before pivot_root" record; a failure record instead reaps it and throws.</summary>
    private static void AwaitHookPause(SafeFdHandle statusRead, SpawnPlan plan, int pid)
    {
        Span<byte> record = stackalloc byte[Marshal.SizeOf<ChildStatus>()];
        int read = Interop.ReadFully(statusRead.Fd, record);
        if (read == 0)
        {
            int code = Interop.ExitCodeOf(Interop.WaitForChild(pid));
            throw new ContainerStartException(ChildStep.HooksReady, Interop.ESRCH, code, $"the child ended with code {code} before its hooks");
        }

        ChildStatus status = MemoryMarshal.Read<ChildStatus>(record);
        if (status.Step == (int)ChildStep.HooksReady)
        {
            return;
        }

        Interop.WaitForChild(pid);
        throw Failure(plan, status);
    }

    /// <summary>Waits for the child unless it was reaped already (ECHILD).</summary>
    private static unsafe void ReapIfStillChild(int pid)
    {
        int status;
        while (Interop.WaitPid(pid, &status, 0) < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR)
        {
        }
    }

    /// <summary>A createContainer/startContainer failure the init reported, as a <see cref="HookException"/>.</summary>
    private static HookException? HookFailure(SpawnPlan plan, ChildStatus status)
    {
        (IReadOnlyList<Hook> hooks, string kind) = (ChildStep)status.Step switch
        {
            ChildStep.CreateContainerHook => (plan.CreateContainerHooks, "createContainer"),
            ChildStep.StartContainerHook => (plan.StartContainerHooks, "startContainer"),
            _ => ((IReadOnlyList<Hook>)[], string.Empty),
        };
        if (status.Index < 0 || status.Index >= hooks.Count)
        {
            return null;
        }

        Hook hook = hooks[status.Index];
        string field = string.Create(CultureInfo.InvariantCulture, $"hooks.{kind}[{status.Index}]");
        if (status.Errno == Interop.ETIMEDOUT)
        {
            return new HookException(field, string.Create(CultureInfo.InvariantCulture, $"{hook.Path} did not finish within its timeout of {hook.Timeout} s and was killed"));
        }

        int code = Interop.ExitCodeOf(status.Reserved);
        return new HookException(field, code == 127
            ? $"{hook.Path} exited with code 127 (it could not be executed, or said so itself)"
            : string.Create(CultureInfo.InvariantCulture, $"{hook.Path} exited with code {code}"));
    }
}
