using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>Pull and push progress as plain lines, one per finished blob, for output that is not a terminal.</summary>
internal sealed class PlainProgress(TextWriter output) : ITransferDisplay
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Report(PullProgress value)
    {
        if (value.Transfer is { } transfer && transfer.State == TransferState.Done)
        {
            Write($"{transfer.Descriptor.Digest}: done {transfer.Total} bytes ({value.CompletedBlobs}/{value.TotalBlobs} blobs)");
        }
    }

    /// <inheritdoc />
    public void Report(PushProgress value)
    {
        string? outcome = value.Transfer?.State switch
        {
            TransferState.Done => "uploaded",
            TransferState.Mounted => "mounted",
            TransferState.AlreadyExists => "exists",
            _ => null,
        };
        if (outcome is not null)
        {
            Write($"{value.Transfer!.Descriptor.Digest}: {outcome} {value.Transfer.Total} bytes ({value.CompletedBlobs}/{value.TotalBlobs} blobs)");
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine(line);
        }
    }
}
