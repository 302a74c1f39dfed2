namespace Containers;

/// <summary>
/// Content did not hash to the digest (or size) it was expected to have. Content that fails this
/// check is never committed.
/// </summary>
public sealed class DigestMismatchException : ContainersException
{
    /// <summary>Creates the exception for a digest mismatch.</summary>
    /// <param name="expected">The digest the content was supposed to have.</param>
    /// <param name="actual">The digest of what was actually read.</param>
    public DigestMismatchException(Digest expected, Digest actual)
        : base($"digest mismatch: expected {expected}, got {actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception for a size mismatch.</summary>
    /// <param name="expected">The digest of the content that was expected.</param>
    /// <param name="expectedSize">The size it was expected to have.</param>
    /// <param name="actualSize">The number of bytes actually read.</param>
    public DigestMismatchException(Digest expected, long expectedSize, long actualSize)
        : base($"size mismatch for {expected}: expected {expectedSize} bytes, got {actualSize}")
    {
        Expected = expected;
        ExpectedSize = expectedSize;
        ActualSize = actualSize;
    }

    /// <summary>The digest that was expected.</summary>
    public Digest Expected { get; }

    /// <summary>The digest that was computed, when the sizes matched and the hashes did not.</summary>
    public Digest? Actual { get; }

    /// <summary>The expected size, when the sizes differed.</summary>
    public long? ExpectedSize { get; }

    /// <summary>The actual size, when the sizes differed.</summary>
    public long? ActualSize { get; }
}
