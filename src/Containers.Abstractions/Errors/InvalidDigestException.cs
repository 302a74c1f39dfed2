namespace Containers;

/// <summary>
/// A string is not a digest this stack accepts: an algorithm outside the allow-list, a wrong hex
/// length, upper-case or non-hex characters. Raised before the string can become a path or a URL.
/// </summary>
public sealed class InvalidDigestException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="value">The rejected text (shortened when long).</param>
    /// <param name="reason">Why it was rejected.</param>
    public InvalidDigestException(string value, string reason)
        : base($"invalid digest \"{Shorten(value)}\": {reason}")
    {
        Value = Shorten(value);
        Reason = reason;
    }

    /// <summary>The rejected text, cut to 100 characters so hostile input cannot flood logs.</summary>
    public string Value { get; }

    /// <summary>Why the text was rejected.</summary>
    public string Reason { get; }

    private static string Shorten(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "…");
}
