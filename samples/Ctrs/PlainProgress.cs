using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>Pull progress as plain lines: one line per finished blob, for output that is not a terminal.</summary>
internal sealed class PlainProgress(TextWriter output) : IProgress<PullProgress>
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void Report(PullProgress value)
    {
        if (value.Transfer is { } transfer && transfer.State == TransferState.Done)
        {
            lock (_gate)
            {
                output.WriteLine($"{transfer.Descriptor.Digest}: done {transfer.Total} bytes ({value.CompletedBlobs}/{value.TotalBlobs} blobs)");
            }
        }
    }
}
