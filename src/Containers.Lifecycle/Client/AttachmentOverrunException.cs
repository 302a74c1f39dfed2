namespace Containers.Client;

/// <summary>
/// An attachment's output stream fell behind: more than <see cref="TaskAttachment.MaxPendingOutputBytes"/> of the
/// process's output was read for it but not yet written to the caller's stream. That stream was detached (its copy
/// ended, the process and the other attachments went on) rather than stall them or silently skip bytes;
/// <see cref="TaskAttachment.WaitOutputEndedAsync"/> reports it.
/// </summary>
public sealed class AttachmentOverrunException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stream">The stream that fell behind: <c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="limit">The bound on output read but not yet written, in bytes.</param>
    public AttachmentOverrunException(string stream, long limit)
        : base($"the attachment's {stream} fell more than {limit} bytes behind the process's output and was detached")
    {
        Stream = stream;
        Limit = limit;
    }

    /// <summary>The stream that fell behind: <c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    /// <summary>The bound that was exceeded, in bytes.</summary>
    public long Limit { get; }
}
