using System.Runtime.InteropServices;

namespace Containers.Linux.Seccomp;

/// <summary>One classic BPF instruction, laid out exactly like the kernel's <c>struct sock_filter</c> (8 bytes).</summary>
/// <param name="Code">The opcode (class | size/op | mode/source).</param>
/// <param name="Jt">Instructions to skip when a conditional jump is taken.</param>
/// <param name="Jf">Instructions to skip when it is not.</param>
/// <param name="K">The immediate operand.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K);
