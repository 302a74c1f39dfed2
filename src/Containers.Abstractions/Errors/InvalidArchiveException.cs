namespace Containers;

/// <summary>
/// An image archive or layout directory (OCI layout, OCI layout tar, docker-archive) is malformed or
/// hostile. Nothing of it was committed.
/// </summary>
public sealed class InvalidArchiveException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the archive was refused.</param>
    /// <param name="entry">The entry or file concerned, as named in the archive; empty for the whole archive.</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public InvalidArchiveException(InvalidArchiveReason reason, string entry, string problem, Exception? innerException = null)
        : base(entry.Length == 0 ? problem : $"{entry}: {problem}", innerException)
    {
        Reason = reason;
        Entry = entry;
        Problem = problem;
    }

    /// <summary>Why the archive was refused.</summary>
    public InvalidArchiveReason Reason { get; }

    /// <summary>The entry or file concerned; empty for the whole archive.</summary>
    public string Entry { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
