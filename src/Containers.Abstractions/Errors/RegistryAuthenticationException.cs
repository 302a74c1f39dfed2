using System.Net;

namespace Containers;

/// <summary>
/// The registry or its token service refused the credentials, or its challenge could not be
/// answered safely (for example a token realm on another host that was not allowed to receive
/// credentials).
/// </summary>
public sealed class RegistryAuthenticationException : RegistryException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and why.</param>
    /// <param name="statusCode">The HTTP status of the refusal (401 or 403, or 0 when refused locally).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public RegistryAuthenticationException(string message, HttpStatusCode statusCode = HttpStatusCode.Unauthorized, Exception? innerException = null)
        : base(message, statusCode, null, innerException)
    {
    }
}
