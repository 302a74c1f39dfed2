namespace Containers.Lifecycle.Tasks;

/// <summary>A shim, or the OCI runtime it drives, failed an operation.</summary>
public sealed class ShimException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why it failed.</param>
    /// <param name="message">What failed, with the shim's or runtime's own message.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ShimException(ShimFailure reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Why it failed.</summary>
    public ShimFailure Reason { get; }
}
