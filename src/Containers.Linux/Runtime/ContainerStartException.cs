using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>The container child reported that a setup step failed before its program started.</summary>
public sealed class ContainerStartException : ContainersException
{
    /// <summary>Creates the exception from the child's report.</summary>
    /// <param name="step">The step that failed.</param>
    /// <param name="errno">The errno of the failed call.</param>
    /// <param name="index">The mount, device, path or capability the step worked on.</param>
    /// <param name="detail">Human-readable context, for example the mount destination.</param>
    public ContainerStartException(ChildStep step, int errno, int index, string? detail)
        : base($"container setup failed at {step}{(detail is null ? string.Empty : " (" + detail + ")")}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Step = step;
        Errno = errno;
        Index = index;
    }

    /// <summary>The step that failed.</summary>
    public ChildStep Step { get; }

    /// <summary>The errno of the failed call.</summary>
    public int Errno { get; }

    /// <summary>Which mount, device, masked path, rlimit or capability the step worked on.</summary>
    public int Index { get; }
}
