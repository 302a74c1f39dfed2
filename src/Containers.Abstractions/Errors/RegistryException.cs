using System.Net;

namespace Containers;

/// <summary>
/// A registry answered with an error the client cannot recover from by retrying: a distribution
/// error code such as <c>MANIFEST_UNKNOWN</c> or <c>DENIED</c>, or an unexpected HTTP status.
/// </summary>
public class RegistryException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the registry and the request.</param>
    /// <param name="statusCode">The HTTP status the registry answered with.</param>
    /// <param name="errorCodes">The distribution error codes from the response body, if any.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public RegistryException(string message, HttpStatusCode statusCode, IReadOnlyList<string>? errorCodes = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCodes = errorCodes ?? [];
    }

    /// <summary>The HTTP status the registry answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Distribution error codes from the response body (<c>BLOB_UNKNOWN</c>, <c>DENIED</c>…).</summary>
    public IReadOnlyList<string> ErrorCodes { get; }
}
