namespace Containers.Lifecycle.Tasks;

/// <summary>Why a <see cref="ShimException"/> was thrown.</summary>
public enum ShimFailure
{
    /// <summary>The OCI runtime binary the shim drives failed (its message is in the exception's).</summary>
    RuntimeFailed = 1,

    /// <summary>The shim failed for a reason of its own (I/O in its state directory…).</summary>
    Internal = 2,

    /// <summary>The shim is gone: its socket refuses connections or it closed one without answering.</summary>
    Unavailable = 3,

    /// <summary>The shim could not be started.</summary>
    LaunchFailed = 4,
}
