using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>The record the child writes to its status pipe: a failed step, or <see cref="ChildStep.Ready"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ChildStatus
{
    /// <summary>The step (<see cref="ChildStep"/>).</summary>
    public int Step;

    /// <summary>errno of the failed call, 0 for Ready.</summary>
    public int Errno;

    /// <summary>Which mount, device, path or capability the step was working on.</summary>
    public int Index;

    /// <summary>Padding.</summary>
    public int Reserved;
}
