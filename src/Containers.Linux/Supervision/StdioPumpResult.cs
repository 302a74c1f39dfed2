namespace Containers.Linux.Supervision;

/// <summary>What a <see cref="StdioPump"/> step left behind.</summary>
internal enum StdioPumpResult
{
    /// <summary>Everything the pipe held went on; wait for the pipe again.</summary>
    Drained,

    /// <summary>
    /// The FIFO is full: the pump holds what did not fit and reads no more until it is written, so
    /// the process blocks once its pipe is full; wait until the FIFO is writable.
    /// </summary>
    Held,

    /// <summary>The pipe reached end of file (every writer closed), and nothing is held.</summary>
    Ended,
}
