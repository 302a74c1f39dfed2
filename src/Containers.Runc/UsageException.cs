namespace Containers.Runc;

/// <summary>The command line is wrong (unknown flag, missing argument); runcs exits with 1 as runc does.</summary>
internal sealed class UsageException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    public UsageException(string message) : base(message)
    {
    }
}
