namespace Containers;

/// <summary>
/// A layer stream was refused: it is malformed, or one of its entries is unsafe or cannot be
/// applied. The target tree may hold the entries applied before the failing one.
/// </summary>
public sealed class InvalidLayerException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">The class of problem.</param>
    /// <param name="entryName">The tar entry's name as written in the archive, or null when no entry applies.</param>
    /// <param name="problem">What is wrong, for a person.</param>
    /// <param name="innerException">The error that revealed the problem, if any.</param>
    public InvalidLayerException(InvalidLayerReason reason, string? entryName, string problem, Exception? innerException = null)
        : base(entryName is null ? $"invalid layer: {problem}" : $"invalid layer entry \"{entryName}\": {problem}", innerException)
    {
        Reason = reason;
        EntryName = entryName;
        Problem = problem;
    }

    /// <summary>The class of problem.</summary>
    public InvalidLayerReason Reason { get; }

    /// <summary>The offending entry's name as written in the archive, or null.</summary>
    public string? EntryName { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
