namespace Containers.Registry.Auth;

/// <summary>
/// A docker credential helper (<c>docker-credential-NAME</c>) could not be found, did not finish in
/// time, or answered something that is not its JSON protocol. "Credentials not found" is not an
/// error: the registry is then spoken to anonymously.
/// </summary>
public sealed class CredentialHelperException : ContainersException
{
    /// <summary>Creates the exception for helper <paramref name="helper"/>.</summary>
    public CredentialHelperException(string helper, string message, Exception? innerException = null)
        : base($"credential helper docker-credential-{helper}: {message}", innerException)
    {
        Helper = helper;
    }

    /// <summary>The helper's name (the part after <c>docker-credential-</c>).</summary>
    public string Helper { get; }
}
