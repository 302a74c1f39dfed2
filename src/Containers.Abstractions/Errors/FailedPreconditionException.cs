namespace Containers;

/// <summary>
/// The object is not in a state that allows the operation: starting a container that is not
/// <c>created</c>, removing a snapshot that has children, committing an ingest twice.
/// </summary>
public sealed class FailedPreconditionException : ContainersException
{
    /// <summary>Creates the exception with a message that says which state was wrong.</summary>
    public FailedPreconditionException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public FailedPreconditionException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
