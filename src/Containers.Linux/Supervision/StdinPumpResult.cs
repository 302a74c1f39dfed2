namespace Containers.Linux.Supervision;

/// <summary>What a <see cref="StdinPump"/> step left behind.</summary>
internal enum StdinPumpResult
{
    /// <summary>Everything the FIFO held went to the process; wait for the FIFO again.</summary>
    Drained,

    /// <summary>The process does not read fast enough: bytes are held; wait until its end is writable.</summary>
    Blocked,

    /// <summary>The process's end is gone (it closed its stdin, or the terminal hung up).</summary>
    Broken,
}
