namespace Containers;

/// <summary>
/// A string is not a valid image reference (<c>[domain/]path[:tag][@digest]</c>). Raised before the
/// reference can become part of a registry URL or a store key.
/// </summary>
public sealed class InvalidReferenceException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reference">The rejected text (shortened when long).</param>
    /// <param name="reason">Which rule it broke.</param>
    /// <param name="detail">A human-readable explanation.</param>
    public InvalidReferenceException(string reference, InvalidReferenceReason reason, string detail)
        : base($"invalid reference \"{Shorten(reference)}\": {detail}")
    {
        Reference = Shorten(reference);
        Reason = reason;
    }

    /// <summary>The rejected text, cut to 300 characters so hostile input cannot flood logs.</summary>
    public string Reference { get; }

    /// <summary>Which rule the text broke.</summary>
    public InvalidReferenceReason Reason { get; }

    private static string Shorten(string value) => value.Length <= 300 ? value : string.Concat(value.AsSpan(0, 300), "…");
}
