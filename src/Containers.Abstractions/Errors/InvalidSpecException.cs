namespace Containers;

/// <summary>
/// A JSON document (config.json, a manifest, an index, an image config…) or an option object is
/// malformed or contradictory. <see cref="JsonPath"/> names the bad field, for example
/// <c>linux.resources.memory.limit</c>.
/// </summary>
public sealed class InvalidSpecException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="jsonPath">The path of the bad field without the leading <c>$.</c>; empty for the document itself.</param>
    /// <param name="problem">What is wrong with it, for example <c>expected integer</c>.</param>
    /// <param name="innerException">The parser error, if any.</param>
    public InvalidSpecException(string jsonPath, string problem, Exception? innerException = null)
        : base(jsonPath.Length == 0 ? problem : $"{jsonPath}: {problem}", innerException)
    {
        JsonPath = jsonPath;
        Problem = problem;
    }

    /// <summary>The path of the bad field, for example <c>mounts[2].destination</c>; empty for the whole document.</summary>
    public string JsonPath { get; }

    /// <summary>What is wrong with the field.</summary>
    public string Problem { get; }
}
