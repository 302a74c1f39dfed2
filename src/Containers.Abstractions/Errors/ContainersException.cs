namespace Containers;

/// <summary>
/// The base of every error that Containers for .NET raises on purpose. Catch a derived type
/// to handle one condition; catch this type to handle any failure of the stack.
/// </summary>
public abstract class ContainersException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    protected ContainersException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    protected ContainersException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
