namespace Containers;

/// <summary>
/// Input is larger than the bound set for it (a manifest, a config, a tar entry count, a layer).
/// The input was refused before it was parsed or stored.
/// </summary>
public sealed class SizeLimitExceededException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">What was being read, for example <c>"manifest"</c>.</param>
    /// <param name="limit">The bound, in bytes or entries.</param>
    public SizeLimitExceededException(string what, long limit)
        : base($"{what} exceeds the limit of {limit}")
    {
        What = what;
        Limit = limit;
    }

    /// <summary>What was being read.</summary>
    public string What { get; }

    /// <summary>The bound that was exceeded.</summary>
    public long Limit { get; }
}
