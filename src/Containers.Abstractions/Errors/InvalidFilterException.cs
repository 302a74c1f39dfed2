namespace Containers;

/// <summary>
/// A filter expression (<c>topic==/tasks/exit,namespace==default</c>, <c>labels."a"~=^b</c>) is
/// malformed: a missing operator, an unterminated quote, a bad escape or an invalid regular expression.
/// </summary>
public sealed class InvalidFilterException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filter">The whole filter text.</param>
    /// <param name="position">The zero-based offset where the problem was found.</param>
    /// <param name="problem">What is wrong there.</param>
    /// <param name="innerException">The underlying error, for example a regular-expression parse error.</param>
    public InvalidFilterException(string filter, int position, string problem, Exception? innerException = null)
        : base($"invalid filter \"{filter}\" at {position}: {problem}", innerException)
    {
        Filter = filter;
        Position = position;
        Problem = problem;
    }

    /// <summary>The whole filter text.</summary>
    public string Filter { get; }

    /// <summary>The zero-based offset of the problem in <see cref="Filter"/>.</summary>
    public int Position { get; }

    /// <summary>What is wrong at <see cref="Position"/>.</summary>
    public string Problem { get; }
}
