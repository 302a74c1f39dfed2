namespace Containers;

/// <summary>
/// The request is valid but names something this implementation does not do (a media type, a
/// spec field, a kernel feature this machine lacks). Never raised for something silently ignored.
/// </summary>
public sealed class UnsupportedException : ContainersException
{
    /// <summary>Creates the exception with a message that names the unsupported thing.</summary>
    public UnsupportedException(string message) : base(message)
    {
    }
}
