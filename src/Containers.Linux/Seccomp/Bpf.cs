namespace Containers.Linux.Seccomp;

/// <summary>Classic BPF opcodes and the seccomp return values the compiler emits.</summary>
internal static class Bpf
{
    internal const ushort Ld = 0x00;
    internal const ushort Ldx = 0x01;
    internal const ushort Alu = 0x04;
    internal const ushort Jmp = 0x05;
    internal const ushort Ret = 0x06;
    internal const ushort W = 0x00;
    internal const ushort Abs = 0x20;
    internal const ushort K = 0x00;
    internal const ushort And = 0x50;
    internal const ushort Ja = 0x00;
    internal const ushort Jeq = 0x10;
    internal const ushort Jgt = 0x20;
    internal const ushort Jge = 0x30;
    internal const ushort Jset = 0x40;

    internal const ushort LdAbsW = Ld | W | Abs;
    internal const ushort AndK = Alu | And | K;
    internal const ushort RetK = Ret | K;
    internal const ushort JmpJa = Jmp | Ja;
    internal const ushort JeqK = Jmp | Jeq | K;
    internal const ushort JgtK = Jmp | Jgt | K;
    internal const ushort JgeK = Jmp | Jge | K;
    internal const ushort JsetK = Jmp | Jset | K;

    // Offsets in struct seccomp_data.
    internal const uint OffsetNr = 0;
    internal const uint OffsetArch = 4;
    internal const uint OffsetArgs = 16;

    internal const uint RetKillProcess = 0x80000000;
    internal const uint RetKillThread = 0x00000000;
    internal const uint RetTrap = 0x00030000;
    internal const uint RetErrno = 0x00050000;
    internal const uint RetUserNotif = 0x7fc00000;
    internal const uint RetTrace = 0x7ff00000;
    internal const uint RetLog = 0x7ffc0000;
    internal const uint RetAllow = 0x7fff0000;
    internal const uint RetDataMask = 0x0000ffff;

    internal const uint Enosys = 38;

    /// <summary>The return value of an action with its data (errno or trace message).</summary>
    internal static uint ReturnValue(SeccompActionType action, uint data) => action switch
    {
        SeccompActionType.KillThread => RetKillThread,
        SeccompActionType.KillProcess => RetKillProcess,
        SeccompActionType.Trap => RetTrap,
        SeccompActionType.Errno => RetErrno | (data & RetDataMask),
        SeccompActionType.Trace => RetTrace | (data & RetDataMask),
        SeccompActionType.Allow => RetAllow,
        SeccompActionType.Log => RetLog,
        SeccompActionType.Notify => RetUserNotif,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
