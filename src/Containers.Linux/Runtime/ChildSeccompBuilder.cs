using Containers.Linux.Seccomp;

namespace Containers.Linux.Runtime;

/// <summary>Lays a compiled <see cref="SeccompProgram"/> out in the arena for the child (<see cref="ChildSeccomp"/>).</summary>
internal static unsafe class ChildSeccompBuilder
{
    /// <summary>The child's seccomp step, or null when the plan has no filter. Socket fds are filled in per attempt.</summary>
    /// <exception cref="InvalidSpecException">The program was compiled for another architecture, or NOTIFY lacks the agent's state.</exception>
    public static ChildSeccomp* Build(SpawnPlan plan, NativeArena arena)
    {
        SeccompProgram? program = plan.Seccomp;
        if (program is null)
        {
            return null;
        }

        if (program.NativeArchitecture != SpawnPlanSeccomp.NativeArchitecture())
        {
            throw new InvalidSpecException("linux.seccomp", $"the program was compiled for {program.NativeArchitecture}, not for this process");
        }

        if (program.UsesNotify && (program.ListenerPath is null || plan.SeccompAgentState is null))
        {
            throw new InvalidSpecException("linux.seccomp.listenerPath", "SCMP_ACT_NOTIFY needs the agent's socket and the container's state to send it");
        }

        if (program.UsesNotify && System.Text.Encoding.UTF8.GetByteCount(program.ListenerPath!) > 107)
        {
            throw new InvalidSpecException("linux.seccomp.listenerPath", "longer than a UNIX socket path can be (107 bytes)");
        }

        ChildSeccomp* s = arena.Allocate<ChildSeccomp>(1);
        s->SeccompNr = Interop.Seccomp.SeccompNumber;
        s->SendMsgNr = Interop.Seccomp.SendMsgNumber;
        s->Length = checked((ushort)program.Length);
        s->Filter = arena.Allocate<SockFilter>(program.Length);
        program.AsSpan().CopyTo(new Span<SockFilter>(s->Filter, program.Length));
        s->Flags = (ulong)program.Flags;
        s->BeforeCapabilities = plan.NoNewPrivileges ? 0 : 1;
        s->NotifySocket = -1;
        s->NotifyParentSocket = -1;
        return s;
    }
}
